#include "publish/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.hpp"

namespace amr::publish {

LineReader::LineReader(ReadFn read, std::string source, size_t block_size)
    : read_(std::move(read)),
      source_(std::move(source)),
      block_size_(block_size ? block_size : 1) {}

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
        // One line longer than the buffer: make room for the rest of it.
        auto bigger = std::make_unique<char[]>(capacity_ * 2);
        std::memcpy(bigger.get(), buffer_.get(), end_);
        buffer_ = std::move(bigger);
        capacity_ *= 2;
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
