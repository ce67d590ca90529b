"""amr in shell pipelines: jq, head -n 1, grep --line-buffered, command substitution."""

import json
import re
import time

from amrtest import expect, unique, wait_until


def test_subscribe_json_into_jq(amr, plain_server, jq):
    env = plain_server.env()
    bg = amr.start_shell('"$AMR" subscribe -j --count 2 orders:created | jq -r .data.order_id', env=env)
    bg.wait_subscribed()
    expect(amr.run("publish", "--preset", "order_created", env=env), 0)
    expect(amr.run("publish", "--preset", "order_created", env=env), 0)
    assert bg.wait() == 0, bg
    lines = bg.stdout.splitlines()
    assert len(lines) == 2, bg
    for line in lines:
        assert re.fullmatch(r"ORD-\d{14}", line), lines
    assert "error" not in bg.stderr.lower()


def test_jq_sees_each_message_at_once(amr, plain_server, jq):
    # jq --unbuffered prints as soon as amr flushes a line; the second message is only
    # published once the first has come out of the pipe.
    ch = unique()
    bg = amr.start_shell(f'"$AMR" subscribe -j {ch} | jq --unbuffered -r .data.n', env=plain_server.env())
    bg.wait_subscribed()
    plain_server.publish(ch, b'{"n":"first"}')
    bg.wait_stdout("first\n")
    plain_server.publish(ch, b'{"n":"second"}')
    bg.wait_stdout("second\n")
    bg.stop()


def test_grep_line_buffered_sees_each_message_at_once(amr, plain_server):
    ch = unique()
    bg = amr.start_shell(f'"$AMR" subscribe -F raw {ch} | grep --line-buffered keep', env=plain_server.env())
    bg.wait_subscribed()
    plain_server.publish(ch, b"drop 1")
    plain_server.publish(ch, b"keep 1")
    bg.wait_stdout("keep 1\n")
    plain_server.publish(ch, b"keep 2")
    bg.wait_stdout("keep 2\n")
    assert "drop" not in bg.stdout
    bg.stop()


def head_pipeline(amr, server, fmt):
    ch = unique()
    script = (f'"$AMR" subscribe -F {fmt} {ch} | head -n 1\n'
              'echo "amr-exit=${PIPESTATUS[0]}" >&2')
    bg = amr.start_shell(script, env=server.env())
    bg.wait_subscribed()
    server.publish(ch, b'{"n":1}')
    # head exits after the first line; amr notices when it writes the next message.
    n = 2
    while bg.running():
        server.publish(ch, f'{{"n":{n}}}'.encode())
        n += 1
        if n > 3000:
            break
        time.sleep(0.02)
    assert bg.wait() == 0, bg
    return bg


def test_head_n_1_ends_amr_quietly_with_0(amr, plain_server):
    bg = head_pipeline(amr, plain_server, "raw")
    assert bg.stdout == '{"n":1}\n'
    assert "amr-exit=0" in bg.stderr, bg
    other = [line for line in bg.stderr.splitlines() if not line.startswith(("[+] Subscribed", "amr-exit="))]
    assert other == [], "no error text when the reader goes away"


def test_head_n_1_with_json_and_pretty(amr, plain_server):
    for fmt in ("json", "pretty"):
        bg = head_pipeline(amr, plain_server, fmt)
        assert "amr-exit=0" in bg.stderr, bg
        other = [line for line in bg.stderr.splitlines() if not line.startswith(("[+] Subscribed", "amr-exit="))]
        assert other == [], bg
        if fmt == "json":
            assert json.loads(bg.stdout)["data"] == {"n": 1}


def test_publish_count_in_command_substitution(amr, plain_server):
    ch = unique()
    sub = amr.subscribe(ch, env=plain_server.env())
    r = expect(amr.shell(f'n=$("$AMR" publish {ch} \'{{"a":1}}\') && test "$n" = 1 && echo "ok $n"',
                         env=plain_server.env()), 0)
    assert r.stdout == "ok 1\n"
    sub.stop()


def test_stdin_from_a_pipe(amr, plain_server, jq):
    ch = unique()
    sub = amr.subscribe("-j", "--count", "1", ch, env=plain_server.env())
    r = expect(amr.shell(f'jq -n -c \'{{event:"piped", n:3}}\' | "$AMR" publish {ch}', env=plain_server.env()), 0)
    assert r.stdout == "1\n"
    assert sub.wait() == 0
    assert json.loads(sub.stdout)["data"] == {"event": "piped", "n": 3}


def test_broadcast_total_in_awk(amr, plain_server):
    ch = unique()
    sub = amr.subscribe(ch, env=plain_server.env())
    r = expect(amr.shell(f'"$AMR" broadcast -c {ch} -c {ch}-none \'{{}}\' | awk -F"\\t" \'$1=="total"{{print $2}}\'',
                         env=plain_server.env()), 0)
    assert r.stdout == "1\n"
    sub.stop()


def test_subscriber_gone_is_seen_by_publishers(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("--count", "1", ch, env=plain_server.env())
    assert expect(amr.run("publish", ch, "{}", env=plain_server.env()), 0).stdout == "1\n"
    assert sub.wait() == 0
    wait_until(lambda: plain_server.numsub(ch) == 0, "the subscriber to leave")
    assert expect(amr.run("publish", ch, "{}", env=plain_server.env()), 0).stdout == "0\n"
