#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/corpus/NAME/ (docs/FUZZING.md): a few inputs of
each kind a harness reads, plus the long ones libFuzzer would not reach by itself (JSON
nested 100000 deep, a frame and a .env past 64 KiB). Run again after changing it; files
the fuzzer found (named by their SHA-1) are left alone."""
import base64
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def seeds(name, items):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for i, data in enumerate(items):
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(data)


def bulk(s):
    b = s.encode() if isinstance(s, str) else s
    return b"$%d\r\n%s\r\n" % (len(b), b)


msg = b"*3\r\n" + bulk("message") + bulk("ch") + bulk("hello")
# resp: the first byte picks how many of the next bytes choose piece sizes.
seeds("resp", [b"\x00" + msg,
               b"\x03\x01\x05\x02" + msg,
               b"\x00*4\r\n" + bulk("pmessage") + bulk("o:*") + bulk("o:a") + bulk("{}"),
               b"\x00>3\r\n" + bulk("smessage") + bulk("s") + bulk("x"),
               b"\x00*3\r\n" + bulk("subscribe") + bulk("ch") + b":1\r\n",
               b"\x00>2\r\n" + bulk("pong") + bulk(""),
               b"\x00-ERR unknown command\r\n",
               b"\x00+OK\r\n",
               b"\x00|1\r\n+key\r\n+val\r\n>3\r\n" + bulk("message") + bulk("c") + bulk("p"),
               b"\x00*3\r\n" + bulk("message") + b"*2\r\n:1\r\n_\r\n" + bulk("p"),
               b"\x00%1\r\n+a\r\n,1.5\r\n",
               b"\x00*3\r\n" + bulk("message") + bulk("c") + b"=9\r\ntxt:hello\r\n",
               b"\x00*1\r\n" + b"*1\r\n" * 20 + b":1\r\n",
               b"\x01\x3f*3\r\n" + bulk("message") + bulk("big") + bulk("x" * 70000)])

secret = "pw-PLANTED-s3cr3t"
seeds("dotenv", ["\x00REDIS_URL=redis://:pw@host:6380\nREDIS_KEY=abc\n",
                 "\x05export A=1\n# comment\nB = 'single # not comment'\n",
                 '\x10A="line1\\nline2"\nB="C:\\Users\\x"\nC=plain # inline\n',
                 '\x02A="unterminated\nB=2\n',
                 "\x03A='multi\nline'\nB=\"x\" junk\n",
                 "\x00=novalue\nNOEQUALS\n  \n\t\n",
                 "\x00A=1\r\nB=2\r\n",
                 "\x00" + "K%d=%s\n" % (0, "v" * 70000),
                 "\x05\n\n\rB=\r\r\np="])  # a lone CR (fixed finding, FUZZING.md)
seeds("url", ["\x00redis://localhost", "\x08redis://user:pw@host:6380/0",
              "\x01rediss://[::1]:6380", "\x00redis://:p%41ss@h", "\x00redis://h:99999",
              "\x00redis://u:p@[fe80::1", "\x00http://x", "\x0a6379"])
deep = "[" * 40000 + "]" * 40000  # 80 KB: past 64 KiB
seeds("json", ['{"a":[1,2.5,-3e2,true,false,null,"x\\u00e9\\n"]}', "[]", '"\xc3\xa9"',
               '{"a":1} x', "[1,]", "1e400", "-0", '"\\ud800"', "[" * 128 + "]" * 128,
               "[" * 129 + "]" * 129, deep, '{"a":1}\x00', " \t\n1 ",
               '{"n":123456789012345678901234567890}', "0.1e-400",
               "-0." + "0" * 34,  # reaches RapidJSON's diyfp.h UB (ubsan.supp)
               "0e55"])  # and strtod.h's
# formatter: flags, channel length, pattern length, then the bytes.
seeds("formatter", [b"\x00\x02\x00ch{\"event\":\"x\",\"total\":3}",
                    b"\x01\x03\x03o:ao:*hello\x1b[2J\xc2\x85\xff",
                    b"\x06\x01\x00c{\"order_id\":1,\"message\":\"a\\u001bb\"}",
                    b"\x00\x00\x00[1,2,{\"a\":\"\\u0000\"}]",
                    b"\x01\x00\x00{\"event\":{\"deep\":[1]}}\n"])
seeds("template", ["{channel}: {payload}\\n\xffpayload", "{data.items.0.sku}\xff{\"items\":[{\"sku\":\"x\"}]}",
                   "{time:%H:%M:%S.%3N} {utc:%s %9N}\xffx", "{{literal}} \\t\\e[1m{type}\xff\x1b",
                   "{chanel}", "{data", "\\q", "{time:%}\xff{}", "{data.a.b.c.0.1}\xff{\"a\":{\"b\":{\"c\":[[0,\"\\u0007\"]]}}}"])
seeds("line_reader", [b"\x08\x10\x01a\nb\r\n\n\nccc\r\nlast",
                      b"\x01\x02\x07" + b"x" * 40 + b"\n",
                      b"\x3f\x7f\x00line one\nline two\n\r\n\rx\r",
                      b"\x00\x00\x00\n\n\n"])
seeds("cluster", ["07c3 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460\n"
                  "e4f1 127.0.0.1:30002@31002,host.example master,fail? - 0 0 2 connected\n"
                  "aa01 :0@0 slave,noaddr - 0 0 3 connected\n"
                  "bb02 [::1]:30004@31004 master,handshake - 0 0 0 connected\n",
                  "MOVED 3999 127.0.0.1:6381", "ASK 12182 [::1]:7000", "MOVED 1 :6379",
                  "{user1000}.following", "foo{}{bar}"])
seeds("placeholders", ['{"seq":{{count}}}', "{{time}} {{utc}} {{unix}} {{unix_ms}}", "{{uuid}}",
                       "{{random 1 6}}", "{{random -9223372036854775808 9223372036854775807}}",
                       "{{hostname}}", "{{{{count}}", "{{{{{{count}}", "{{cnt}}", "{{count", "{{}}",
                       "{{random 5 1}}", "{{ count }}", "a{{count}}b{{count}}c", "{{" + "a" * 100 + "}}"])
# glob: PATTERN NUL CHANNEL (--exclude); the hostile ones backtrack exponentially in a
# naive matcher, the deep one passes Redis's 1000-star nesting limit.
seeds("glob", [b"orders:*\0orders:created", b"*a*a*a*a*a*a*a*a*b\0" + b"a" * 4000,
               b"[a-z]?[^0-9]\\*\0bx!*", b"[\0[", b"[^\0x", b"[a-\0-", b"\\\0\\",
               b"*[\\]]*\0a]b", b"h?llo\0hello", b"[\xff-a]\0b", b"*?" * 300 + b"b\0" + b"a" * 2000,
               b"*a" * 1001 + b"\0" + b"a" * 1001, b"**\0", b"orders:created"])
seeds("reply_to", ['{"a":1}', "{}", "{ }", ' {"q": 1.0}\n', '{"reply_to":"amr:reply:x"}',
                   '{"reply_to":5}', '{"reply_to":""}', '{"reply\\u005fto":"x"}', "[1]", "12", '"s"',
                   "not json", '{"a":"\\u0000"}', '{"reply_to":"a","reply_to":"b"}', "{" * 130])
seeds("duration", ["10", "10s", "500ms", "2m", "1h", "1.5s", "0", "-1", "99999999999999999999h",
                   "1e9", " 5s", "0.0001ms", "16k", "256MiB", "1G", "18446744073709551616"])


def jwt(payload):
    return "eyJhbGciOiJSUzI1NiJ9." + base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=") + ".c2ln"


seeds("jwt", ["\x00" + jwt('{"exp":1764000000,"aud":"x"}'), "\x01{\"exp\": 4102444800}",
              "\x01{\"exp\":99999999999999999999999}", "\x01{\"exp\":-5}", "\x01{\"exp\":1.5e9}",
              "\x00a.b", "\x00no dots", "\x00" + jwt('{"iat":1}') + "=", "\x02x.!!!.y"])


def node(host, port, *extra):
    return b"*%d\r\n" % (2 + len(extra)) + bulk(host) + b":%d\r\n" % port + b"".join(extra)


def slot_range(first, last, *nodes):
    return b"*%d\r\n:%d\r\n:%d\r\n" % (2 + len(nodes), first, last) + b"".join(nodes)


# cluster_slots: CLUSTER SLOTS replies, RESP2 and RESP3, good and lying.
seeds("cluster_slots", [
    b"*2\r\n" + slot_range(0, 8191, node("127.0.0.1", 30001, bulk("07c3")), node("127.0.0.1", 30004))
    + slot_range(8192, 16383, node("", 30002), node("?", 30005)),
    b"*1\r\n" + slot_range(0, 16383, node("host.example", 6379, bulk("id"),
                                          b"%1\r\n+hostname\r\n+h.example\r\n")),
    b"*0\r\n", b"-ERR This instance has cluster support disabled\r\n",
    b"-NOPERM this user has no permissions to run the 'cluster|slots' command\r\n",
    b"*1\r\n" + slot_range(0, 16384, node("h", 1)),
    b"*1\r\n" + slot_range(5, 4, node("h", 1)),
    b"*1\r\n" + slot_range(0, 1, node("h", 65536)),
    b"*1\r\n*2\r\n:0\r\n:1\r\n", b"+OK\r\n", b"*1\r\n" + slot_range(0, 1, b"$-1\r\n"),
    b"*1\r\n*3\r\n$1\r\n0\r\n:1\r\n" + node("h", 1),
    b">2\r\n" + bulk("pubsub") + bulk("x") + b"*0\r\n",
])
# pipeline: the first byte picks what each reply answers (bit 7: SPUBLISH).
seeds("pipeline", [b"\x00:1\r\n:0\r\n:3\r\n", b"\x80:2\r\n-MOVED 1 h:1\r\n",
                   b"\x40:1\r\n+PONG\r\n:1\r\n", b"\xc0+OK\r\n-WRONGPASS x\r\n",
                   b"\x00:-1\r\n", b"\x00$1\r\nx\r\n", b"\x00+PONG\r\n", b"\x00_\r\n",
                   b"\x00(12345678901234567890\r\n", b"\x00|1\r\n+a\r\n+b\r\n:1\r\n",
                   b"\x00>3\r\n" + bulk("message") + bulk("c") + bulk("p") + b":1\r\n",
                   b"\x00:9223372036854775807\r\n:9223372036854775807\r\n", b"\x00#t\r\n",
                   b"\x00,1.5\r\n", b"\x00*2\r\n:1\r\n:2\r\n"])

# envelope: the first byte picks decoding a line (even; bit 1: with received_at) or the
# round trip of subscribe -j (odd; the second byte's low 5 bits: the channel's length).
ENVELOPE_LINES = [
    '{"type":"message","channel":"orders:created","data":{"event":"order_created","total":129.99},'
    '"received_at":"2025-11-20T12:31:14.906Z"}',
    '{"type":"smessage","channel":"o:{eu}","data":"abc","received_at":"2025-11-20T12:31:14.906Z"}',
    '{"type":"pmessage","pattern":"o*","channel":"o","data":[1.0,1e5,-0],"data_base64":"WzEuMCwxZTUsLTBd"}',
    '{"channel":"x","channel_base64":"/w==","data":"\\u00e9\\u0000"}',
    '{"channel":"c","data":{"b":1,"a":2,"b":3}}',
    '{"data":1}', '{"channel":"c"}', '["channel"]', '{"channel":"c","data_base64":"ab=c"}',
    '{"channel":"c","data":' + "[" * 200 + "]" * 200 + "}",
]
seeds("envelope", [b"\x00\x00" + line.encode() for line in ENVELOPE_LINES] +
      [b"\x02\x00" + ENVELOPE_LINES[0].encode(),
       b"\x01\x02ch" + b'{"a":1}', b"\x03\x02ch" + b'"abc"', b"\x05\x01c" + b"\x00\x01\xff\xfe",
       b"\x01\x03\xffabc" + b'{\n  "e": "\\u00e9",\n  "n": 1.0\n}\n', b"\x01\x00 {} ",
       b"\x01\x01c" + b"[" * 150 + b"]" * 150])

# stamp: payloads one a line, for a receiver of run 1f2e3d4c with publishers 0-2 and
# channels 0 and 2 (fuzz_stamp.cpp): in order, a gap, a reorder, a duplicate, the warm-up,
# another run, a channel not subscribed, a time in the future, bytes that are not hex.
def stamp(run="1f2e3d4c", flag="m", pub=0, chan=0, seq=0, t=1000, pad=20):
    return "amrb%s%s%04x%04x%012x%012x" % (run, flag, pub, chan, seq, t) + "." * pad


seeds("stamp", ["\n".join(stamp(seq=i) for i in range(4)),
                "\n".join(stamp(seq=i) for i in (0, 1, 5, 3, 3, 6, 2)),
                "\n".join([stamp(flag="w"), stamp(run="00000001"), stamp(chan=1), stamp(pub=3),
                           stamp(t=0xffffffffffff), stamp(pub=2, chan=2, seq=0xffffffffffff)]),
                stamp()[:44], stamp().upper(), "amrb" + "g" * 41, stamp(pad=0),
                "\n".join(stamp(pub=i % 3, chan=(i % 2) * 2, seq=i // 6) for i in range(60)),
                "\n".join(stamp(seq=s) for s in (0, 100000, 99999, 5000, 1))])
