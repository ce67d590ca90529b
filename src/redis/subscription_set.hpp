// What a subscriber wants and what the servers have confirmed, without any I/O: the
// desired subscriptions, per link (one connection, named by a LinkId the caller picks)
// the groups sent and not yet all confirmed and the names confirmed, and the homeless
// names (wanted, waiting for a link to be subscribed on: after a loss, a slot that moved,
// a refusal). The caller sends the commands and reports the servers' answers here; the
// answers say what to log and what to do next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace amr::redis {

enum class SubscriptionKind { channels, patterns, shard_channels };

struct Subscription {
    SubscriptionKind kind;
    std::string name;
    bool operator==(const Subscription&) const = default;
};

// The command that subscribes (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) and the noun for
// messages ("channel", "pattern", "shard channel").
const char* subscribe_verb(SubscriptionKind kind);
const char* subscription_noun(SubscriptionKind kind);

using LinkId = uint64_t;

class SubscriptionSet {
  public:
    explicit SubscriptionSet(std::vector<Subscription> desired = {});

    // --- What is wanted.
    const std::vector<Subscription>& desired() const { return desired_; }
    bool wanted(const Subscription& s) const;
    // Adds `s` to the desired ones; false when it was already.
    bool want(const Subscription& s);
    // Removes `s` from the desired and the homeless ones; false when it was not desired.
    bool unwant(const Subscription& s);
    // Nothing is wanted any more (the links' confirmed names stay until the servers say).
    void unwant_all();

    // --- Wanted and on no link.
    bool has_homeless() const { return !homeless_.empty(); }
    std::vector<Subscription> take_homeless();
    void make_homeless(std::vector<Subscription> group);

    // --- Per link.
    // A command subscribing `group` was sent on `link`. True when no other group was
    // waiting there: the caller starts the clock for its confirmation.
    bool sent(LinkId link, std::vector<Subscription> group);

    struct Confirmation {
        // Not asked for on that link: ignored (the set never believes it has a
        // subscription it did not ask for); `report` the first time per link.
        bool stray = false;
        bool report = false;
        // The group holding it is now wholly confirmed: `more_pending` says whether
        // another waits on the link (restart its confirmation clock) or none (stop it).
        bool group_done = false;
        bool more_pending = false;
        // Every desired subscription is now confirmed (on some link).
        bool complete = false;
    };
    // The server on `link` confirmed `s`.
    Confirmation confirm(LinkId link, const Subscription& s);

    enum class Forgotten {
        unknown,       // not subscribed on that link: nothing changes
        unsubscribed,  // no longer wanted: gone as asked
        homeless,      // still wanted: the server dropped it (slot moved, or unsubscribed)
    };
    // The server on `link` said `s` is no longer subscribed there.
    Forgotten forget(LinkId link, const Subscription& s);

    // The server refused the first pending group on `link` (a cluster redirect): its
    // names become homeless. Returns whether another group still waits there.
    bool refuse_first(LinkId link);
    // The link is gone: what it had confirmed or waited for and is still wanted becomes
    // homeless (confirmed names first, then pending groups, in order).
    void drop(LinkId link);

    bool has_pending(LinkId link) const;
    // The first group waiting for confirmation on `link` (empty when none).
    const std::vector<Subscription>& first_pending(LinkId link) const;
    // Names confirmed, over every link.
    size_t confirmed() const;

  private:
    struct PerLink {
        LinkId id;
        std::vector<std::vector<Subscription>> pending;  // sent, not all confirmed yet
        std::vector<Subscription> names;                 // confirmed
        bool stray_reported = false;
    };
    PerLink& at(LinkId link);
    const PerLink* find(LinkId link) const;

    std::vector<Subscription> desired_;
    std::vector<Subscription> homeless_;
    std::vector<PerLink> links_;
};

}  // namespace amr::redis
