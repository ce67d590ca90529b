#include "publish/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "error.hpp"
#include "util/limits.hpp"
#include "util/read_all.hpp"

namespace amr::publish {

LineReader::LineReader(ReadFn read, std::string source, size_t block_size, size_t max_line)
    : read_(std::move(read)),
      source_(std::move(source)),
      block_size_(block_size ? block_size : 1),
      max_line_(std::max(max_line, block_size_)) {}

bool LineReader::next(Line& line) {
    char* const buf = buffer_.get();
    while (begin_ < end_) {
        char* const start = buf + begin_;
        const size_t from = begin_ + scanned_;
        const auto* newline = static_cast<const char*>(std::memchr(buf + from, '\n', end_ - from));
        size_t length;
        if (newline != nullptr) {
            length = static_cast<size_t>(newline - start);
            begin_ += length + 1;
        } else if (eof_) {
            // The last line has no newline: it is a line all the same.
            length = end_ - begin_;
            begin_ = end_;
        } else {
            scanned_ = end_ - begin_;
            return false;
        }
        scanned_ = 0;
        ++line_number_;
        if (length > 0 && start[length - 1] == '\r') --length;
        if (length == 0) {
            ++empty_lines_;
            continue;
        }
        line.text = std::string_view(start, length);
        line.number = line_number_;
        return true;
    }
    return false;
}

bool LineReader::refill() {
    if (eof_) return begin_ < end_;
    if (!buffer_) {
        capacity_ = block_size_;
        buffer_ = std::make_unique<char[]>(capacity_);
    }
    if (begin_ == end_) {
        begin_ = end_ = 0;
    } else if (begin_ > 0) {
        // Only the start of one line is left: move it to the front.
        std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == capacity_) {
        if (capacity_ >= max_line_) {
            throw usage_error(source_ + ": line " + std::to_string(line_number_ + 1) +
                              " is longer than " + util::size_text(max_line_) +
                              ", the largest message");
        }
        // One line longer than the buffer: make room for the rest of it.
        const size_t grown = std::min(capacity_ * 2, max_line_);
        auto bigger = std::make_unique<char[]>(grown);
        std::memcpy(bigger.get(), buffer_.get(), end_);
        buffer_ = std::move(bigger);
        capacity_ = grown;
    }
    const ssize_t n = read_(buffer_.get() + end_, capacity_ - end_);
    if (n < 0) {
        if (errno == EINTR) return true;
        throw Error(ErrorKind::failure, "cannot read " + source_ + ": " + std::strerror(errno));
    }
    if (n == 0) {
        eof_ = true;
        return begin_ < end_;
    }
    end_ += static_cast<size_t>(n);
    return true;
}

LineReader::ReadFn fd_reader(int fd) {
    return [fd](char* buffer, size_t size) -> ssize_t { return ::read(fd, buffer, size); };
}

InputFile::~InputFile() {
    if (fd > STDERR_FILENO) ::close(fd);
}

std::unique_ptr<InputFile> open_input(const std::string& path) {
    auto input = std::make_unique<InputFile>();
    if (path == "-") {
        input->fd = STDIN_FILENO;
        input->name = "<stdin>";
        return input;
    }
    input->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (input->fd < 0) {
        throw usage_error("cannot open " + path + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(input->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        throw usage_error("cannot read " + path + ": " + std::strerror(EISDIR));
    }
    input->name = path;
    return input;
}

}  // namespace amr::publish
