#include "log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <string>

#include "output/terminal_escape.hpp"

namespace amr::log {
namespace {

// Prefixes every line but info ones, so confirmations read like the lab's output.
class LevelPrefix : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        std::string_view prefix;
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                prefix = "amr: debug: ";
                break;
            case spdlog::level::warn:
                prefix = "amr: warning: ";
                break;
            case spdlog::level::err:
            case spdlog::level::critical:
                prefix = "amr: error: ";
                break;
            default:
                break;
        }
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelPrefix>();
    }
};

// The message, control bytes escaped: it carries channel names and server texts, which
// must neither drive the terminal nor forge a second line. amr's own messages are one
// line each.
class EscapedText : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        text_.clear();
        output::append_terminal_escaped(std::string_view(msg.payload.data(), msg.payload.size()),
                                        text_);
        dest.append(text_.data(), text_.data() + text_.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<EscapedText>();
    }

  private:
    std::string text_;
};

}  // namespace

void init(Verbosity verbosity) {
    auto logger =
        std::make_shared<spdlog::logger>("amr", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelPrefix>('*').add_flag<EscapedText>('&').set_pattern("%*%&");
    logger->set_formatter(std::move(formatter));
    switch (verbosity) {
        case Verbosity::quiet:
            logger->set_level(spdlog::level::err);
            break;
        case Verbosity::normal:
            logger->set_level(spdlog::level::info);
            break;
        case Verbosity::verbose:
            logger->set_level(spdlog::level::debug);
            break;
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace amr::log
