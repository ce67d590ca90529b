#include "publish/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "publish/pipeline_reply.hpp"
#include "redis/reconnect_policy.hpp"
#include "util/saturating.hpp"

namespace amr::publish {
namespace {

// Commands or bytes that make a batch worth a write(2) of its own.
constexpr size_t batch_bytes = 64 * 1024;
// Bytes sent and not answered, at most (unless one command is bigger): long lines make
// the window's commands big, and they stay in memory until answered.
constexpr size_t max_in_flight_bytes = 16 * 1024 * 1024;

}  // namespace

std::string publish_prefix(std::string_view channel, std::string_view verb) {
    std::string prefix = "*3\r\n$" + std::to_string(verb.size()) + "\r\n";
    prefix += verb;
    prefix += "\r\n$";
    prefix += std::to_string(channel.size());
    prefix += "\r\n";
    prefix += channel;
    prefix += "\r\n$";
    return prefix;
}

void append_publish(std::string& out, std::string_view prefix, std::string_view payload) {
    char digits[24];
    const auto length = std::to_chars(digits, digits + sizeof digits, payload.size()).ptr;
    out.append(prefix);
    out.append(digits, length);
    out.append("\r\n", 2);
    out.append(payload);
    out.append("\r\n", 2);
}

Pipeline::Pipeline(redis::Connection connection, PipelineOptions options)
    : connection_(std::move(connection)), options_(std::move(options)) {
    options_.window = std::max<size_t>(options_.window, 1);
    // A quarter of the window per write keeps the server busy while replies come back.
    batch_ = std::max<size_t>(options_.window / 4, 1);
    for (const auto& channel : options_.channels)
        prefixes_.push_back(publish_prefix(channel, options_.verb));
    channel_names_ = options_.channels;
    endpoint_ = connection_->endpoint();
    fixed_sharded_ = options_.verb == "SPUBLISH";
    stats_.channel_receivers.assign(options_.channels.size(), 0);
    stats_.channel_messages.assign(options_.channels.size(), 0);
}

void Pipeline::add(std::string_view payload, uint64_t line) {
    const auto n = static_cast<uint32_t>(prefixes_.size());
    const bool sharded = fixed_sharded_;
    for (uint32_t c = 0; c < n; ++c) {
        append_publish(buffer_, prefixes_[c], payload);
        entries_.push_back({line, buffer_.size(), c, c + 1 == n, sharded});
    }
    ++added_;
    queued();
}

void Pipeline::add_to(std::string_view channel, bool sharded, std::string_view payload,
                      uint64_t line, bool last) {
    // The command written here, as publish_prefix() and append_publish() write it.
    char digits[24];
    buffer_.append(sharded ? "*3\r\n$8\r\nSPUBLISH\r\n$" : "*3\r\n$7\r\nPUBLISH\r\n$");
    buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, channel.size()).ptr);
    buffer_.append("\r\n", 2);
    buffer_.append(channel);
    buffer_.append("\r\n$", 3);
    buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, payload.size()).ptr);
    buffer_.append("\r\n", 2);
    buffer_.append(payload);
    buffer_.append("\r\n", 2);
    entries_.push_back({line, buffer_.size(), channel_index(channel), last, sharded});
    if (last) ++added_;
    queued();
}

// Sends when a batch is ready.
void Pipeline::queued() {
    if (entries_.size() - sent_ >= batch_ || buffer_.size() - offset_of(sent_) >= batch_bytes) {
        pump(false);
    }
}

uint32_t Pipeline::channel_index(std::string_view channel) {
    if (last_channel_id_ != UINT32_MAX && channel == last_channel_) return last_channel_id_;
    uint32_t id;
    if (auto it = channel_ids_.find(channel); it != channel_ids_.end()) {
        id = it->second;
    } else if (channel_ids_.size() < max_tracked_channels) {
        id = static_cast<uint32_t>(channel_names_.size());
        channel_ids_.emplace(channel, id);
        channel_names_.emplace_back(channel);
        stats_.channel_receivers.push_back(0);
        stats_.channel_messages.push_back(0);
    } else {
        // Past the limit, the other channels share one count: a stream of ever new channel
        // names must not grow memory without bound.
        if (other_id_ == UINT32_MAX) {
            other_id_ = static_cast<uint32_t>(channel_names_.size());
            channel_names_.emplace_back(other_channels);
            stats_.channel_receivers.push_back(0);
            stats_.channel_messages.push_back(0);
        }
        id = other_id_;
    }
    last_channel_.assign(channel);
    last_channel_id_ = id;
    return id;
}

void Pipeline::finish() {
    pump(true);
    if (failure_) throw *failure_;
}

void Pipeline::pump(bool drain) {
    for (;;) {
        try {
            while (sent_ < entries_.size() && window_open()) write_some();
            if (sent_ < entries_.size() || (drain && head_ < sent_)) {
                receive();
                continue;
            }
            compact();
            return;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            recover(e);
        }
    }
}

size_t Pipeline::offset_of(size_t entry) const {
    return entry == 0 ? 0 : entries_[entry - 1].end;
}

bool Pipeline::window_open() const {
    if (sent_ == head_) return true;
    return sent_ - head_ < options_.window &&
           offset_of(sent_) - offset_of(head_) < max_in_flight_bytes;
}

// Sends the unsent commands the window has room for, at least one.
void Pipeline::write_some() {
    const size_t from = offset_of(sent_);
    const size_t last = std::min(entries_.size(), head_ + options_.window);
    size_t end = sent_ + 1;
    while (end < last && entries_[end].end - offset_of(head_) <= max_in_flight_bytes) ++end;
    connection_->append_formatted(std::string_view(buffer_).substr(from, offset_of(end) - from));
    sent_ = end;
    connection_->flush();
}

// Waits for at least one reply when some are due, and takes every reply already read.
void Pipeline::receive() {
    const size_t before = head_;
    const auto deadline = connection_->reply_deadline();
    for (;;) {
        drain_buffered();
        if (head_ != before || head_ == sent_) break;
        connection_->read_available(deadline, options_.verb);
    }
    if (head_ >= std::max<size_t>(options_.window, 4096)) compact();
}

void Pipeline::drain_buffered() {
    while (head_ < sent_) {
        redis::ReplyPtr reply = connection_->buffered_reply();
        if (!reply) break;
        on_reply(reply.get());
    }
}

void Pipeline::take_replies() {
    try {
        // Called when the socket is readable: this read does not wait. With nothing in
        // flight, a readable socket is the server closing it.
        connection_->read_available(redis::Clock::now(), options_.verb);
        drain_buffered();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::connection) throw;
        recover(e);
    }
    pump(false);
}

void Pipeline::ping() {
    static constexpr std::string_view command = "*1\r\n$4\r\nPING\r\n";
    buffer_.append(command);
    entries_.push_back({0, buffer_.size(), ping_entry, false, false});
    pump(false);
}

void Pipeline::reauthenticate_if_due() {
    const auto& token = connection_->settings().token;
    if (!token || !token->due()) return;
    std::vector<std::string_view> args = {"AUTH"};
    if (!connection_->settings().user.empty()) args.push_back(connection_->settings().user);
    args.push_back(token->refresh());
    buffer_ += "*" + std::to_string(args.size()) + "\r\n";
    for (auto a : args) {
        buffer_ += "$" + std::to_string(a.size()) + "\r\n";
        buffer_ += a;
        buffer_ += "\r\n";
    }
    entries_.push_back({0, buffer_.size(), auth_entry, false, false});
    pump(false);
}

void Pipeline::on_reply(const redisReply* reply) {
    const Entry& entry = entries_[head_];
    const Pipelined sent = entry.channel == ping_entry   ? Pipelined::ping
                           : entry.channel == auth_entry ? Pipelined::auth
                                                         : Pipelined::message;
    // A reply of a type the command never gets throws: this one counts as unconfirmed.
    const std::string_view verb = entry.sharded ? "SPUBLISH" : "PUBLISH";
    const PipelinedReply said = read_pipelined_reply(reply, sent, verb, entry.line, endpoint_);
    ++head_;
    if (sent == Pipelined::ping) return;
    if (sent == Pipelined::auth) {
        if (said.refused) {
            if (!failure_) failure_.emplace(redis::reply_error(reply, "AUTH with a fresh token"));
        } else {
            spdlog::debug("re-authenticated with a fresh token");
        }
        return;
    }
    if (!said.refused) {
        long long& channel = stats_.channel_receivers[entry.channel];
        ++stats_.channel_messages[entry.channel];
        stats_.receivers = util::add_saturating(stats_.receivers, said.receivers);
        channel = util::add_saturating(channel, said.receivers);
        line_receivers_ = util::add_saturating(line_receivers_, said.receivers);
    } else {
        line_failed_ = true;
        if (!failure_) {
            const std::string where = "line " + std::to_string(entry.line) + ": ";
            Error e = redis::reply_error(reply, verb);
            std::string hint = e.hint();
            if (entry.sharded && reply->type == REDIS_REPLY_ERROR &&
                std::string_view(reply->str, reply->len).substr(0, 6) == "MOVED ") {
                // The slot moved to another node (failover, migration) during the stream.
                hint =
                    "the channel's slot moved to another node while amr was sending; run "
                    "again to send the rest where it lives now";
            }
            failure_.emplace(e.kind(), where + e.what(), hint);
        }
    }
    if (!entry.last) return;
    if (!line_failed_) {
        ++stats_.confirmed;
        if (options_.min_receivers && line_receivers_ < *options_.min_receivers) {
            if (stats_.below_min++ == 0) stats_.first_below_min_line = entry.line;
        }
    }
    line_receivers_ = 0;
    line_failed_ = false;
}

// Drops the answered commands from the front of the buffers.
void Pipeline::compact() {
    if (head_ == 0) return;
    if (head_ == entries_.size()) {
        buffer_.clear();
        entries_.clear();
    } else {
        const size_t bytes = entries_[head_ - 1].end;
        buffer_.erase(0, bytes);
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(head_));
        for (auto& entry : entries_) entry.end -= bytes;
    }
    sent_ -= head_;
    head_ = 0;
}

void Pipeline::log_prepare() const {
    if (options_.before_log) options_.before_log();
}

void Pipeline::recover(const Error& lost) {
    log_prepare();
    if (!options_.retry) {
        spdlog::error("{}", lost.what());
        fail_lost(ErrorKind::connection);
    }
    std::optional<redis::Connection> fresh;
    try {
        fresh = redis::reconnect(connection_->settings(), options_.backoff, lost.what());
    } catch (const Error& e) {
        log_prepare();
        spdlog::error("{}", e.what());
        fail_lost(e.kind());
    }
    if (!fresh) {
        log_prepare();
        spdlog::error("stopped while reconnecting");
        fail_lost(ErrorKind::connection);
    }
    connection_ = std::move(fresh);
    endpoint_ = connection_->endpoint();
    ++stats_.reconnects;
    size_t unanswered = 0;
    for (size_t i = head_; i < sent_; ++i) unanswered += is_message(entries_[i]);
    stats_.resent += unanswered;
    sent_ = head_;
    if (const Entry* first = first_unanswered_message(); first != nullptr && unanswered > 0) {
        log_prepare();
        spdlog::warn(
            "sending again from line {}: {} PUBLISH the server had not confirmed may arrive twice",
            first->line, unanswered);
    }
}

const Pipeline::Entry* Pipeline::first_unanswered_message() const {
    for (size_t i = head_; i < entries_.size(); ++i) {
        if (is_message(entries_[i])) return &entries_[i];
    }
    return nullptr;
}

void Pipeline::fail_lost(ErrorKind kind) {
    std::string where = "the first unconfirmed is line ";
    if (const Entry* first = first_unanswered_message()) {
        where += std::to_string(first->line);
        if (first->channel > 0 && first->channel < prefixes_.size()) {
            where += " (confirmed on " + std::to_string(first->channel) + " of " +
                     std::to_string(prefixes_.size()) + " channels)";
        }
    } else if (options_.next_line) {
        where += std::to_string(options_.next_line()) + " (every message sent was confirmed)";
    } else {
        where = "every message sent was confirmed";
    }
    throw Error(kind,
                "connection lost after " + std::to_string(stats_.confirmed) +
                    " confirmed message(s); " + where,
                options_.retry ? "" : "--retry reconnects and sends again from there");
}

}  // namespace amr::publish
