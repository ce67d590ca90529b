// Splits an input stream into lines, reading it in large blocks: one message per line for
// publish --lines and broadcast --lines.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/limits.hpp"

namespace amr::publish {

struct Line {
    std::string_view text;  // without "\n" or "\r\n"; valid until the next refill()
    uint64_t number = 0;    // 1-based, counting every line of the input, empty ones too
};

class LineReader {
  public:
    // Reads up to `size` bytes into `buffer`: the count, 0 at the end of input, or -1
    // with errno set (EINTR is not an error: refill() returns with nothing new).
    using ReadFn = std::function<ssize_t(char* buffer, size_t size)>;

    static constexpr size_t default_block_size = size_t{1} << 20;
    static constexpr size_t default_max_line = util::max_message_bytes;

    // `source` names the input in error messages ("<stdin>" or a file name). A line
    // longer than `max_line` (a message Redis would refuse) is a usage Error, not a
    // buffer that grows until memory runs out (/dev/zero).
    LineReader(ReadFn read, std::string source, size_t block_size = default_block_size,
               size_t max_line = default_max_line);

    // The next non-empty line already in the buffer. False when refill() must read more
    // (or, after the end of input, when nothing is left).
    bool next(Line& line);

    // Reads one block (or learns that the input has ended). False once the input has
    // ended and next() has nothing more to give. Throws a failure Error on a read error.
    bool refill();

    const std::string& source() const { return source_; }
    uint64_t lines_seen() const { return line_number_; }
    uint64_t empty_lines() const { return empty_lines_; }

  private:
    ReadFn read_;
    std::string source_;
    size_t block_size_;
    size_t max_line_;
    std::unique_ptr<char[]> buffer_;
    size_t capacity_ = 0;
    size_t begin_ = 0;    // first byte not yet returned as a line
    size_t end_ = 0;      // end of the bytes read
    size_t scanned_ = 0;  // bytes from begin_ known to hold no '\n' (a long line's tail)
    bool eof_ = false;
    uint64_t line_number_ = 0;
    uint64_t empty_lines_ = 0;
};

// A ReadFn for a file descriptor (stdin, or a file opened by open_input()).
LineReader::ReadFn fd_reader(int fd);

// Opens FILE for reading, or stdin for "-". Throws a usage Error naming the file when it
// cannot be opened. The descriptor is closed when the returned handle goes.
struct InputFile {
    int fd = -1;
    std::string name;  // "<stdin>" for standard input
    InputFile() = default;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile();
};
std::unique_ptr<InputFile> open_input(const std::string& path);

}  // namespace amr::publish
