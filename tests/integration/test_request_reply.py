"""amr request and amr reply against real servers: the round trip (plain, TLS with a
password, RESP3 with a token), several responders, requests without a reply channel,
1,000 requests from concurrent requesters each answered to its own requester, exit 5
with no responder and 124 when replies do not come."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from amrtest import RedisServer, expect, unique

REPLY_CHANNEL = re.compile(r"amr:reply:([0-9a-f-]{36})")


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_tools, pki):
    """Shared by the module's tests (each uses channels of its own)."""
    s = RedisServer(tmp_path_factory.mktemp("redis"), password=None).start()
    yield s
    s.stop()


def responder(amr, server_env, *args, channels=1):
    """Starts `amr reply ARGS` and waits for its subscriptions."""
    return amr.start("reply", *args, env=server_env).wait_subscribed(channels)


def test_round_trip_with_echo(amr, server):
    ch = unique()
    rep = responder(amr, server.env(), ch, "--echo")
    r = expect(amr.run("request", "-F", "raw", ch, '{"q": 1.0}', env=server.env()), 0)
    reply = r.stdout.rstrip("\n")
    # The request as sent: the user's bytes, then the reply field amr added.
    m = REPLY_CHANNEL.fullmatch(json.loads(reply)["reply_to"])
    assert m and uuid.UUID(m.group(1)).version == 4, reply
    assert reply == '{"q": 1.0,"reply_to":"%s"}' % m.group(0)
    assert rep.running()
    # The reply channel was the requester's alone, and is gone with it.
    assert server.numsub(m.group(0)) == 0


def test_round_trip_with_exec(amr, server):
    ch = unique()
    # The request on the command's stdin, the message's facts in its environment; one
    # trailing newline of its output is not part of the reply.
    responder(amr, server.env(), ch, "--exec",
              'printf \'{"got":%s,"channel":"%s","type":"%s","pattern":"%s"}\\n\' "$(cat)" "$AMR_CHANNEL" '
              '"$AMR_TYPE" "$AMR_PATTERN"')
    r = expect(amr.run("request", "-F", "raw", ch, '{"id":1}', env=server.env()), 0)
    reply = json.loads(r.stdout)
    assert reply["got"]["id"] == 1 and REPLY_CHANNEL.fullmatch(reply["got"]["reply_to"]), r
    assert (reply["channel"], reply["type"], reply["pattern"]) == (ch, "message", "")
    assert r.stdout.count("\n") == 1, r


def test_exec_with_patterns(amr, server):
    prefix = unique()
    responder(amr, server.env(), "--pattern", f"{prefix}:*", "--exec",
              'printf \'%s %s %s\' "$AMR_TYPE" "$AMR_PATTERN" "$AMR_CHANNEL"')
    r = expect(amr.run("request", "-F", "raw", f"{prefix}:x", "{}", env=server.env()), 0)
    assert r.stdout == f"pmessage {prefix}:* {prefix}:x\n"


def test_a_failing_command_sends_no_reply(amr, server):
    ch = unique()
    rep = responder(amr, server.env(), ch, "--exec", "echo partial; exit 3")
    r = expect(amr.run("request", ch, '{"a":1}', "--timeout", "1s", env=server.env()), 124)
    assert "--timeout 1s ended after 0 of 1 reply(ies)" in r.stderr, r
    assert r.stdout == ""
    rep.wait_stderr(f"--exec failed for the request on '{ch}' (exit status 3): no reply sent")
    # The responder goes on.
    assert rep.running()
    assert server.numsub(ch) == 1


def test_request_reads_stdin_and_pipes_json_lines_to_jq(amr, server, jq):
    ch = unique()
    responder(amr, server.env(), ch, "--echo")
    r = expect(amr.shell(f'echo \'{{"n":7}}\' | "$AMR" request -j {ch} | jq -r \'.channel, .data.n\'',
                         env=server.env()), 0)
    channel, n = r.stdout.splitlines()
    assert REPLY_CHANNEL.fullmatch(channel) and n == "7", r


def test_round_trip_over_tls_with_a_password(amr, redis_factory):
    tls = redis_factory(tls=True, password="s3cret-pass")
    ch = unique()
    responder(amr, tls.env(), ch, "--echo")
    r = expect(amr.run("request", "-F", "raw", ch, "--event", "ping", env=tls.env()), 0)
    assert json.loads(r.stdout)["event"] == "ping"
    assert "s3cret-pass" not in r.stdout + r.stderr


def resp3_subscribers(server):
    """The server's connections that speak RESP3 and have subscriptions."""
    clients = server.call("CLIENT", "LIST").decode().splitlines()
    return [c for c in clients if " resp=3" in c and (" sub=0 " not in c or " psub=0 " not in c)]


def test_round_trip_over_resp3_with_a_token(amr, redis_factory, tmp_path):
    # A token command makes both ends subscribe over RESP3 (HELLO 3 AUTH): requests and
    # replies then come as push frames.
    token_server = redis_factory(password="the-token")
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho the-token\n")
    script.chmod(0o755)
    env = {"REDIS_HOST": token_server.host, "REDIS_PORT": str(token_server.port),
           "REDIS_TLS": "false", "REDIS_TOKEN_COMMAND": str(script)}
    ch = unique()
    responder(amr, env, ch, "--echo")
    assert len(resp3_subscribers(token_server)) == 1
    r = expect(amr.run("request", "-F", "raw", ch, '{"a":1}', env=env), 0)
    assert json.loads(r.stdout)["a"] == 1
    # A requester waiting for its reply listens over RESP3 too.
    waiting = amr.start("request", ch, '{"a":2}', "--reply-field", "unanswered", "--timeout", "20s", env=env)
    waiting.wait_subscribed()
    assert len(resp3_subscribers(token_server)) == 2
    waiting.terminate()
    assert waiting.wait() == 130, waiting


def test_patterns_and_other_reply_fields(amr, server):
    prefix = unique()
    responder(amr, server.env(), "--pattern", f"{prefix}:*", "--echo", "--reply-field", "answer_on")
    r = expect(amr.run("request", "-F", "raw", f"{prefix}:a", '{}', "--reply-field", "answer_on",
                       env=server.env()), 0)
    assert REPLY_CHANNEL.fullmatch(json.loads(r.stdout)["answer_on"]), r
    mine = unique()
    r = expect(amr.run("request", "-j", f"{prefix}:b", '{"x":[]}', "--reply-field", "answer_on",
                       "--reply-to", mine, env=server.env()), 0)
    line = json.loads(r.stdout)
    assert line["channel"] == mine and line["data"] == {"x": [], "answer_on": mine}


def test_three_responders_and_three_replies(amr, server, jq):
    ch = unique()
    for n in range(3):
        responder(amr, server.env(), ch, "--exec", f"jq -c '{{n, responder: {n}}}'")
    r = expect(amr.run("request", "-j", ch, '{"n":3}', "--replies", "3", env=server.env()), 0)
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert sorted(line["data"]["responder"] for line in lines) == [0, 1, 2], r
    assert all(line["data"]["n"] == 3 for line in lines), r
    # Fewer responders than --replies: what came is printed, then exit 124 at --timeout.
    # (3 s: three commands start and answer well within it even on a loaded machine.)
    r = expect(amr.run("request", "-F", "raw", ch, '{"n":4}', "--replies", "4", "--timeout", "3s",
                       env=server.env()), 124)
    assert len(r.stdout.splitlines()) == 3, r
    assert "--timeout 3s ended after 3 of 4 reply(ies)" in r.stderr, r


def test_no_responder_exits_5(amr, server):
    ch = unique()
    r = expect(amr.run("request", ch, '{"a":1}', env=server.env()), 5)
    assert f"no one received the request on '{ch}'" in r.stderr, r
    assert r.stdout == ""


def test_a_request_no_one_answers_exits_124(amr, server):
    ch = unique()
    # The responder looks for another field: it receives the request but cannot answer.
    rep = responder(amr, server.env(), ch, "--echo", "--reply-field", "elsewhere")
    r = expect(amr.run("request", ch, '{"a":1}', "--timeout", "500ms", env=server.env()), 124)
    assert "--timeout 500ms ended after 0 of 1 reply(ies) on 'amr:reply:" in r.stderr, r
    rep.wait_stderr("no field 'elsewhere'")


def test_bad_requests_are_reported_and_skipped(amr, server):
    ch = unique()
    rep = responder(amr, server.env(), ch, "--echo", "--count", "6")
    for bad in [b"not json", b"[1,2]", b'{"a":1}', b'{"reply_to":5}', b'{"reply_to":""}']:
        assert server.publish(ch, bad) == 1
    r = expect(amr.run("request", "-F", "raw", ch, '{"good":true}', env=server.env()), 0)
    assert json.loads(r.stdout)["good"] is True
    assert rep.wait() == 0, rep
    for reason in ["not JSON (at byte 1: Invalid value.)", "not a JSON object but an array", "no field 'reply_to'",
                   "field 'reply_to' is a number, not a string", "field 'reply_to' is empty"]:
        assert f"request on '{ch}' skipped: {reason}" in rep.stderr, rep
    assert "6 request(s): 1 answered, 5 skipped, 0 failed" in rep.stderr, rep


def test_a_reply_the_server_refuses_is_reported_and_the_responder_goes_on(amr, redis_factory):
    # Anyone may name any reply channel: one the responder may not publish to (an ACL)
    # costs that reply, not the responder.
    srv = redis_factory(password="admin-pw")
    ch = unique()
    srv.call("ACL", "SETUSER", "responder", "on", ">resp-pw", "~*", "resetchannels", f"&{ch}",
             "&amr:reply:*", "+@all")
    env = {**srv.env(), "REDIS_USER": "responder", "REDIS_KEY": "resp-pw"}
    rep = responder(amr, env, ch, "--echo", "--count", "2")
    assert srv.publish(ch, '{"reply_to":"forbidden"}') == 1
    rep.wait_stderr(f"reply to the request on '{ch}' not sent: ")
    r = expect(amr.run("request", "-F", "raw", ch, '{"n":2}', env=srv.env()), 0)
    assert json.loads(r.stdout)["n"] == 2
    assert rep.wait() == 0, rep
    assert "NOPERM" in rep.stderr, rep
    assert "2 request(s): 1 answered, 0 skipped, 1 failed" in rep.stderr, rep


def test_the_reply_connection_is_opened_again_when_it_was_lost(amr, server):
    ch = unique()
    rep = responder(amr, server.env(), ch, "--echo", "-v")
    expect(amr.run("request", "-F", "raw", ch, '{"n":1}', env=server.env()), 0)
    # The responder's connection for replies is closed (its subscribed one is kept): the
    # next reply must still go out, on a new connection.
    assert server.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    r = expect(amr.run("request", "-F", "raw", ch, '{"n":2}', env=server.env()), 0)
    assert json.loads(r.stdout)["n"] == 2
    assert "not sent" not in rep.stderr, rep


@pytest.mark.parametrize("message, error", [
    ("[1]", "the request must be a JSON object, not an array"),
    ('"text"', "the request must be a JSON object, not a string"),
    ("{oops", "the message is not valid JSON at byte 1"),
    ('{"reply_to":"mine"}', "the request already has a field 'reply_to'"),
])
def test_requests_that_are_not_json_objects_are_usage_errors(amr, server, message, error):
    r = expect(amr.run("request", unique(), message, env=server.env()), 2)
    assert error in r.stderr, r


def test_reply_needs_echo_or_exec(amr, server):
    r = expect(amr.run("reply", unique(), env=server.env()), 2)
    assert "reply needs one of --echo and --exec CMD" in r.stderr, r


WORKERS = 5
PER_WORKER = 200


def test_a_thousand_requests_each_answered_to_its_requester(amr, server):
    ch = unique()
    # The reply is made by a command from the request: its id, renamed.
    responder(amr, server.env(), ch, "--exec", "sed 's/\"id\"/\"answer_to\"/'")
    # Concurrent requesters, one request each process: every reply must carry the id and
    # reply channel of the request its requester sent.
    script = f"""
worker() {{
    for i in $(seq 1 {PER_WORKER}); do
        printf '%s ' "$1-$i"
        "$AMR" -q request -F raw --timeout 30s {ch} "{{\\"id\\":\\"$1-$i\\"}}" || echo "FAILED $?"
    done
}}
for w in $(seq 1 {WORKERS}); do worker $w > out.$w & done
wait
cat out.*
"""
    r = expect(amr.shell(script, env=server.env(), timeout=600), 0)
    assert "FAILED" not in r.stdout, r.stdout[:2000]
    sent, replies = [], []
    for line in r.stdout.splitlines():
        request_id, reply = line.split(" ", 1)
        sent.append(request_id)
        replies.append(json.loads(reply))
        assert replies[-1]["answer_to"] == request_id, line  # the reply to this requester's request
    assert sorted(sent) == sorted(f"{w}-{i}" for w in range(1, WORKERS + 1) for i in range(1, PER_WORKER + 1))
    assert len({x["reply_to"] for x in replies}) == WORKERS * PER_WORKER


def test_in_a_cluster_a_responder_on_another_node_answers(amr, tmp_path, redis_tools, pki):
    # A cluster delivers PUBLISH to every node, but counts only the subscribers of the
    # node that got it: the requester's 0 there is no reason to exit 5.
    from amrcluster import RedisCluster
    cluster = RedisCluster(tmp_path / "cluster", pki)
    try:
        cluster.start()
        ch = unique()
        responder(amr, cluster.env(cluster.nodes[0]), ch, "--echo")
        other = cluster.env(cluster.nodes[1])
        r = expect(amr.run("request", "-F", "raw", ch, '{"n":1}', env=other), 0)
        assert json.loads(r.stdout)["n"] == 1
        assert "in a cluster those on other nodes are not counted" in r.stderr, r
        # No responder at all: in a cluster that shows only as no reply in time.
        r = expect(amr.run("request", unique(), '{"n":2}', "--timeout", "1s", env=other), 124)
        assert "ended after 0 of 1 reply(ies)" in r.stderr, r
    finally:
        cluster.stop()
