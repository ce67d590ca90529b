#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "config/dotenv.hpp"
#include "error.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::config::dotenv_has_secret;
using amr::config::dotenv_permission_warning;
using amr::config::EnvMap;
using amr::config::parse_dotenv;
using amr::config::read_dotenv_file;

namespace {

const char* const secret = "s3cr3t-Pa55w0rd-XyZ";

// The usage error a malformed .env text throws.
Error dotenv_error(const std::string& text, const std::string& origin = "test.env") {
    try {
        parse_dotenv(text, origin);
    } catch (const Error& e) {
        return e;
    }
    FAIL("parse_dotenv accepted a malformed file: " << text);
    return Error(ErrorKind::failure, "unreachable");
}

// `where` is "my.env:LINE", the origin and line the message must start with.
void check_malformed(const std::string& text, const std::string& where) {
    Error e = dotenv_error(text, "my.env");
    CHECK(e.kind() == ErrorKind::usage);
    const std::string what = e.what();
    CHECK_MESSAGE(what.starts_with(where + ":"), what);
    CHECK_MESSAGE(what.find(secret) == std::string::npos, what);
    CHECK_MESSAGE(what.find("Pa55") == std::string::npos, what);
}

}  // namespace

TEST_CASE("parse_dotenv: plain KEY=VALUE lines") {
    EnvMap env = parse_dotenv("REDIS_HOST=example.redis.azure.net\nREDIS_KEY=abc123\n", "x");
    CHECK(env.size() == 2);
    CHECK(env.at("REDIS_HOST") == "example.redis.azure.net");
    CHECK(env.at("REDIS_KEY") == "abc123");
}

TEST_CASE("parse_dotenv: empty text and only comments give no variables") {
    CHECK(parse_dotenv("", "x").empty());
    CHECK(parse_dotenv("\n\n   \n\t\n", "x").empty());
    CHECK(parse_dotenv("# a comment\n   # indented comment\n#no blank", "x").empty());
}

TEST_CASE("parse_dotenv: comments and blank lines between variables") {
    EnvMap env = parse_dotenv("# header\n\nA=1\n   \n# middle\nB=2\n\n", "x");
    CHECK(env == EnvMap{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("parse_dotenv: last line without a newline") {
    CHECK(parse_dotenv("A=1\nB=2", "x") == EnvMap{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("parse_dotenv: a later assignment replaces an earlier one") {
    CHECK(parse_dotenv("A=1\nA=2\n", "x") == EnvMap{{"A", "2"}});
}

TEST_CASE("parse_dotenv: export prefix") {
    EnvMap env = parse_dotenv("export REDIS_HOST=\"h.example\"\nexport\tB=2\n  export C=3\n", "x");
    CHECK(env == EnvMap{{"REDIS_HOST", "h.example"}, {"B", "2"}, {"C", "3"}});
}

TEST_CASE("parse_dotenv: a variable whose name starts with export") {
    CHECK(parse_dotenv("exported=1\n", "x") == EnvMap{{"exported", "1"}});
    CHECK(parse_dotenv("export=2\n", "x") == EnvMap{{"export", "2"}});
}

TEST_CASE("parse_dotenv: blanks around the name, '=' and the value") {
    EnvMap env = parse_dotenv("  A =  value  \n\tB\t=\tv\t\n", "x");
    CHECK(env.at("A") == "value");
    CHECK(env.at("B") == "v");
}

TEST_CASE("parse_dotenv: empty values") {
    EnvMap env = parse_dotenv("A=\nB=\"\"\nC=''\nD=   \n", "x");
    CHECK(env == EnvMap{{"A", ""}, {"B", ""}, {"C", ""}, {"D", ""}});
}

TEST_CASE("parse_dotenv: single quotes keep the text literally") {
    EnvMap env = parse_dotenv("A='a b # c'\nB='x\\ny'\nC='it\\'s'\nD='back\\\\slash'\n", "x");
    CHECK(env.at("A") == "a b # c");
    CHECK(env.at("B") == "x\\ny");
    CHECK(env.at("C") == "it's");
    CHECK(env.at("D") == "back\\slash");
}

TEST_CASE("parse_dotenv: double quotes with blanks and '#' inside") {
    EnvMap env = parse_dotenv("A=\"  padded value  \"\nB=\"a # not a comment\"\n", "x");
    CHECK(env.at("A") == "  padded value  ");
    CHECK(env.at("B") == "a # not a comment");
}

TEST_CASE("parse_dotenv: escapes inside double quotes") {
    EnvMap env = parse_dotenv(R"(A="line1\nline2"
B="say \"hi\""
C="back\\slash"
D="tab\there"
E="single\'quote"
)",
                              "x");
    CHECK(env.at("A") == "line1\nline2");
    CHECK(env.at("B") == "say \"hi\"");
    CHECK(env.at("C") == "back\\slash");
    CHECK(env.at("D") == "tab\there");
    CHECK(env.at("E") == "single'quote");
}

TEST_CASE("parse_dotenv: unknown escapes inside double quotes keep the backslash") {
    // As python-dotenv: only \\ \' \" \a \b \f \n \r \t \v are escapes.
    EnvMap env = parse_dotenv(R"(A="C:\Users\x"
B="a\qb"
C="a\0b"
)",
                              "x");
    CHECK(env.at("A") == R"(C:\Users\x)");
    CHECK(env.at("B") == R"(a\qb)");
    CHECK(env.at("C") == R"(a\0b)");
}

TEST_CASE("parse_dotenv: '=' inside values") {
    EnvMap env = parse_dotenv("KEY=abc==\nURL=rediss://:p=w@h:10000\nQ=\"a=b\"\n", "x");
    CHECK(env.at("KEY") == "abc==");
    CHECK(env.at("URL") == "rediss://:p=w@h:10000");
    CHECK(env.at("Q") == "a=b");
}

TEST_CASE("parse_dotenv: inline comment after an unquoted value") {
    EnvMap env = parse_dotenv("A=value # the comment\nB=value\t# tab comment\nC=a  #\n", "x");
    CHECK(env.at("A") == "value");
    CHECK(env.at("B") == "value");
    CHECK(env.at("C") == "a");
}

TEST_CASE("parse_dotenv: '#' without a blank before it is part of the value") {
    EnvMap env = parse_dotenv("A=abc#def\nB=#hash\nC=a#b # comment\nD=x \\# y\n", "x");
    CHECK(env.at("A") == "abc#def");
    CHECK(env.at("C") == "a#b");
    CHECK(env.at("D") == "x \\# y");
    // A value may start with '#' (a password can): python-dotenv keeps it.
    CHECK(env.at("B") == "#hash");
}

TEST_CASE("parse_dotenv: blanks after '=' belong to the '=', as in python-dotenv") {
    // python-dotenv gives "# not a comment" here: the blanks after '=' are not "a blank
    // before '#'".
    CHECK(parse_dotenv("C=   # not a comment\n", "x").at("C") == "# not a comment");
}

TEST_CASE("parse_dotenv: comment after a quoted value") {
    EnvMap env = parse_dotenv("A=\"quoted # inside\" # outside\nB='x'#c\nC=\"y\"   \n", "x");
    CHECK(env.at("A") == "quoted # inside");
    CHECK(env.at("B") == "x");
    CHECK(env.at("C") == "y");
}

TEST_CASE("parse_dotenv: CRLF line endings") {
    EnvMap env = parse_dotenv(
        "# comment\r\nexport A=1\r\n\r\nB=\"two\"\r\nC='three'\r\nD=four # c\r\nE=\r\n", "x");
    CHECK(env == EnvMap{{"A", "1"}, {"B", "two"}, {"C", "three"}, {"D", "four"}, {"E", ""}});
}

TEST_CASE("parse_dotenv: multi-line double-quoted values") {
    EnvMap env = parse_dotenv("CERT=\"-----BEGIN-----\nAAAA\nBBBB\n-----END-----\"\nNEXT=1\n", "x");
    CHECK(env.at("CERT") == "-----BEGIN-----\nAAAA\nBBBB\n-----END-----");
    CHECK(env.at("NEXT") == "1");
}

TEST_CASE("parse_dotenv: lab's two .env styles") {
    EnvMap plain = parse_dotenv(
        "REDIS_HOST=amr-exercise-1a2b3c4d.eastus.redis.azure.net\n"
        "REDIS_KEY=AbC+dEf/GhI=\n",
        ".env");
    CHECK(plain.at("REDIS_HOST") == "amr-exercise-1a2b3c4d.eastus.redis.azure.net");
    CHECK(plain.at("REDIS_KEY") == "AbC+dEf/GhI=");
    EnvMap entra = parse_dotenv(
        "export REDIS_HOST=\"amr-exercise-1a2b3c4d.eastus.redis.azure.net\"\n", ".env");
    CHECK(entra.at("REDIS_HOST") == "amr-exercise-1a2b3c4d.eastus.redis.azure.net");
}

TEST_CASE("parse_dotenv: a line without '=' is an error naming file and line") {
    check_malformed(std::string("A=1\nREDIS_KEY ") + secret + "\n", "my.env:2");
    Error e = dotenv_error("A=1\n\nNOVALUE\n", "my.env");
    CHECK(std::string(e.what()).starts_with("my.env:3: "));
}

TEST_CASE("parse_dotenv: missing closing quote is an error") {
    check_malformed(std::string("A=1\nREDIS_KEY=\"") + secret + "\nB=2\n", "my.env:2");
    check_malformed(std::string("REDIS_KEY='") + secret, "my.env:1");
    Error e = dotenv_error("A=\"unterminated\n");
    CHECK(std::string(e.what()).find("closing quote") != std::string::npos);
}

TEST_CASE("parse_dotenv: text after the closing quote is an error") {
    check_malformed(std::string("# c\nREDIS_KEY=\"") + secret + "\"trailing\n", "my.env:2");
    check_malformed(std::string("REDIS_KEY='") + secret + "' more # c\n", "my.env:1");
}

TEST_CASE("parse_dotenv: a bad variable name is an error") {
    check_malformed(std::string("=") + secret + "\n", "my.env:1");
    check_malformed(std::string("A=1\nB=2\nBAD KEY=") + secret + "\n", "my.env:3");
    check_malformed(std::string("KEY!=") + secret + "\n", "my.env:1");
}

TEST_CASE("parse_dotenv: a value wrapped onto the next line is not shown as a variable name") {
    check_malformed(std::string("REDIS_HOST=h\nREDIS_KEY=abcd\n") + secret + "\n", "my.env:3");
    Error e = dotenv_error("A=1\n" + std::string(1 << 20, 'x') + "\n", "f");
    CHECK(std::string(e.what()).size() < 200);
}

TEST_CASE("parse_dotenv: error messages use the origin given") {
    // check_malformed passes "test.env"; the origin is copied verbatim.
    Error e = dotenv_error("oops\n", "/path/to/prod.env");
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()).starts_with("/path/to/prod.env:1: "));
}

TEST_CASE("parse_dotenv: line numbers count CRLF lines and multi-line values") {
    Error crlf = dotenv_error("A=1\r\n\r\n# c\r\nBROKEN\r\n", "f");
    CHECK(std::string(crlf.what()).starts_with("f:4: "));
    Error after_multi = dotenv_error("A=\"x\ny\nz\"\nB=2\nBROKEN\n", "f");
    CHECK(std::string(after_multi.what()).starts_with("f:5: "));
    Error inside_multi = dotenv_error("A=1\nB=\"x\ny\" junk\nC=3\n", "f");
    CHECK(std::string(inside_multi.what()).starts_with("f:2: "));
}

TEST_CASE("parse_dotenv: a backslash-newline inside double quotes still counts as a line") {
    // python-dotenv keeps both characters: "\<newline>" is not one of its escapes.
    EnvMap env = parse_dotenv("A=\"x\\\ny\"\nB=2\n", "f");
    CHECK(env.at("A") == "x\\\ny");
    Error e = dotenv_error("A=\"x\\\ny\"\nBROKEN\n", "f");
    CHECK_MESSAGE(std::string(e.what()).starts_with("f:3: "), std::string(e.what()));
}

TEST_CASE("read_dotenv_file: reads a file and names it in errors") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("amr-dotenv-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path good = dir / "good.env";
    const fs::path bad = dir / "bad.env";
    {
        std::ofstream(good) << "export REDIS_HOST=\"h\"\nREDIS_KEY=k # c\n";
        std::ofstream(bad) << "REDIS_HOST=h\nREDIS_KEY='" << secret << "\n";
    }
    CHECK(read_dotenv_file(good.string(), std::chrono::seconds(5)) ==
          EnvMap{{"REDIS_HOST", "h"}, {"REDIS_KEY", "k"}});
    try {
        read_dotenv_file(bad.string(), std::chrono::seconds(5));
        FAIL("accepted a malformed file");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()).starts_with(bad.string() + ":2: "));
        CHECK(std::string(e.what()).find(secret) == std::string::npos);
    }
    try {
        read_dotenv_file((dir / "missing.env").string(), std::chrono::seconds(5));
        FAIL("accepted a missing file");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()).find("missing.env") != std::string::npos);
    }
    fs::remove_all(dir);
}

// The message read_dotenv_file throws for `path`.
std::string read_error(const std::string& path, std::chrono::milliseconds patience) {
    try {
        read_dotenv_file(path, patience);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    FAIL("read_dotenv_file accepted " << path);
    return {};
}

TEST_CASE("read_dotenv_file: directories, devices, huge files and silent FIFOs are errors") {
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("amr-dotenv-kinds-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    CHECK(read_error(dir.string(), std::chrono::seconds(5)) ==
          "env file " + dir.string() + " is not a file (a directory)");
    CHECK(read_error("/dev/zero", std::chrono::seconds(5)) ==
          "env file /dev/zero is not a file (a device)");
    const fs::path big = dir / "big.env";
    std::ofstream(big) << "A=" << std::string(size_t{1} << 20, 'x') << "\n";
    CHECK(read_error(big.string(), std::chrono::seconds(5)) ==
          "env file " + big.string() + " is larger than 1 MiB");
    const fs::path fifo = dir / "fifo.env";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(read_error(fifo.string(), std::chrono::milliseconds(50)).find("nothing came in time") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("dotenv_has_secret: REDIS_KEY or a password in REDIS_URL") {
    CHECK(dotenv_has_secret({{"REDIS_KEY", "k"}}));
    CHECK(dotenv_has_secret({{"REDIS_URL", "rediss://:k@h:10000"}}));
    CHECK(dotenv_has_secret({{"REDIS_URL", "redis://user:k@h"}}));
    CHECK_FALSE(dotenv_has_secret({}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_HOST", "h"}, {"REDIS_USER", "u"}}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_KEY", ""}}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_URL", "rediss://h:10000"}}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_URL", "redis://user@h"}}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_URL", "rediss://:@h"}}));
    CHECK_FALSE(dotenv_has_secret({{"REDIS_URL", "http://:k@h"}}));  // reported elsewhere
}

TEST_CASE("dotenv_permission_warning: a secret readable by group or others, like ssh") {
    const EnvMap with_key{{"REDIS_HOST", "h"}, {"REDIS_KEY", secret}};
    CHECK(dotenv_permission_warning(".env", S_IFREG | 0644, with_key) ==
          ".env is readable by other users (mode 0644); chmod 600 .env");
    CHECK(dotenv_permission_warning("conf/prod.env", 0640, with_key) ==
          "conf/prod.env is readable by other users (mode 0640); chmod 600 conf/prod.env");
    CHECK(dotenv_permission_warning(".env", 0604, with_key) ==
          ".env is readable by other users (mode 0604); chmod 600 .env");
    CHECK(dotenv_permission_warning(".env", 0444, {{"REDIS_URL", "rediss://:k@h"}}) ==
          ".env is readable by other users (mode 0444); chmod 600 .env");
    CHECK(dotenv_permission_warning(".env", 0644, with_key).find(secret) == std::string::npos);
}

TEST_CASE("dotenv_permission_warning: none for a private file or one without a secret") {
    const EnvMap with_key{{"REDIS_KEY", "k"}};
    CHECK(dotenv_permission_warning(".env", S_IFREG | 0600, with_key).empty());
    CHECK(dotenv_permission_warning(".env", 0400, with_key).empty());
    CHECK(dotenv_permission_warning(".env", 0620, with_key).empty());  // write, not read
    CHECK(dotenv_permission_warning(".env", 0602, with_key).empty());
    CHECK(dotenv_permission_warning(".env", 0644, {{"REDIS_HOST", "h"}}).empty());
    CHECK(dotenv_permission_warning(".env", 0644, {{"REDIS_URL", "rediss://h"}}).empty());
}

TEST_CASE("parse_dotenv: a lone CR ends a line, as python-dotenv reads a file") {
    // Found by tests/fuzz (fuzz_dotenv against python-dotenv): a line that began with a
    // CR was skipped whole as blank, its variable lost without an error, and a CR inside
    // a line was part of the value. Python opens the file with universal newlines.
    CHECK(parse_dotenv("\rB=1\n", "x") == EnvMap{{"B", "1"}});
    CHECK(parse_dotenv("A=1\rB=2\r", "x") == EnvMap{{"A", "1"}, {"B", "2"}});
    CHECK(parse_dotenv("B=1\r\r\nC=2", "x") == EnvMap{{"B", "1"}, {"C", "2"}});
    CHECK(parse_dotenv("A=\"x\r\ny\ry\"\n", "x") == EnvMap{{"A", "x\ny\ny"}});
    CHECK(std::string(dotenv_error("A=1\rB=2\r\rBROKEN\n", "f").what()).starts_with("f:4: "));
}
