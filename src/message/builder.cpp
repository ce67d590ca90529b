#include "message/builder.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"

namespace amr::message {

namespace rj = rapidjson;

namespace {

void add(rj::Document& d, std::string_view key, rj::Value value) {
    d.AddMember(rj::Value(key.data(), static_cast<rj::SizeType>(key.size()), d.GetAllocator()),
                value, d.GetAllocator());
}

// A string from the command line. Starting with 0xFF, it is not UTF-8 (the writer refuses
// it below) and must not pass for a number kept as written (message/json_number.hpp).
rj::Value text_value(std::string_view text, rj::Document::AllocatorType& alloc) {
    if (marked(text.data(), text.size()))
        throw usage_error("--event or -f: text is not valid UTF-8");
    return rj::Value(text.data(), static_cast<rj::SizeType>(text.size()), alloc);
}

void add(rj::Document& d, std::string_view key, const std::string& value) {
    add(d, key, text_value(value, d.GetAllocator()));
}

// The lab's payloads, field for field and in its order.
void fill_preset(rj::Document& d, std::string_view name, util::SystemTime now) {
    const std::string stamp = util::local_strftime(now, "%Y%m%d%H%M%S");
    add(d, "event", std::string(name));
    if (name == "order_created") {
        add(d, "order_id", "ORD-" + stamp);
        add(d, "customer", std::string("Jane Doe"));
        add(d, "total", rj::Value(129.99));
    } else if (name == "order_shipped") {
        add(d, "order_id", "ORD-" + stamp);
        add(d, "tracking_number", "TRK-" + util::local_strftime(now, "%H%M%S"));
        add(d, "carrier", std::string("FastShip"));
    } else if (name == "inventory_low") {
        add(d, "product_id", std::string("PROD-12345"));
        add(d, "product_name", std::string("Wireless Headphones"));
        add(d, "current_stock", rj::Value(5));
        add(d, "threshold", rj::Value(10));
    } else if (name == "customer_notification") {
        add(d, "notification_id", "NOT-" + stamp);
        add(d, "customer_id", std::string("CUST-789"));
        add(d, "type", std::string("promotional"));
        add(d, "message", std::string("Flash sale: 20% off on selected items!"));
    } else if (name == "system_announcement") {
        add(d, "message", std::string("System maintenance scheduled for 2 AM"));
        add(d, "priority", std::string("high"));
    }
    add(d, "timestamp", util::local_iso_micro(now));
}

rj::Value field_value(std::string_view key, std::string_view text, bool typed,
                      rj::Document::AllocatorType& alloc) {
    if (!typed) return text_value(text, alloc);
    rj::Document parsed(&alloc);
    // One level less: the value goes into the message's object.
    if (auto problem = parse_json(text, parsed, max_json_depth - 1)) {
        throw usage_error("-f " + std::string(key) + ":=...: value is not valid JSON at byte " +
                              std::to_string(problem->offset) + ": " + problem->reason,
                          problem->too_deep
                              ? "the message's object is one more level, and amr reads JSON " +
                                    std::to_string(max_json_depth) + " deep"
                              : "use KEY=VALUE for a string, KEY:=JSON for a number, true, "
                                "null, an array or an object");
    }
    return rj::Value(parsed, alloc);
}

void apply_field(rj::Document& d, const std::string& spec) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || (eq == 1 && spec[0] == ':')) {
        throw usage_error("-f '" + spec.substr(0, spec.find('=')) +
                          "': expected KEY=VALUE or KEY:=JSON");
    }
    const bool typed = spec[eq - 1] == ':';
    std::string_view key(spec.data(), typed ? eq - 1 : eq);
    std::string_view text = std::string_view(spec).substr(eq + 1);
    rj::Value value = field_value(key, text, typed, d.GetAllocator());

    rj::Value name(key.data(), static_cast<rj::SizeType>(key.size()), d.GetAllocator());
    auto existing = d.FindMember(name);
    if (existing != d.MemberEnd()) {
        existing->value = value;
        return;
    }
    auto stamp = d.FindMember("timestamp");
    if (stamp == d.MemberEnd()) {
        d.AddMember(name, value, d.GetAllocator());
        return;
    }
    // Keep "timestamp" last, as the lab's payloads have it.
    rj::Value saved(stamp->value, d.GetAllocator());
    d.RemoveMember(stamp);
    d.AddMember(name, value, d.GetAllocator());
    d.AddMember("timestamp", saved, d.GetAllocator());
}

}  // namespace

const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = {
        {"order_created", "orders:created"},      {"order_shipped", "orders:shipped"},
        {"inventory_low", "inventory:alerts"},    {"customer_notification", "notifications"},
        {"system_announcement", "notifications"},
    };
    return all;
}

const Preset& find_preset(const std::string& name) {
    std::string names;
    for (const Preset& p : presets()) {
        if (p.name == name) return p;
        names += (names.empty() ? "" : ", ") + std::string(p.name);
    }
    throw usage_error("--preset: unknown preset '" + name + "'", "presets: " + names);
}

bool builds_message(const MessageSpec& spec) {
    return spec.preset || spec.event || !spec.fields.empty();
}

std::string build_message(const MessageSpec& spec, util::SystemTime now) {
    if (spec.preset && spec.event) throw usage_error("--preset and --event cannot be combined");
    rj::Document d(rj::kObjectType);
    if (spec.preset) {
        fill_preset(d, find_preset(*spec.preset).name, now);
    } else if (spec.event) {
        add(d, "event", *spec.event);
        add(d, "timestamp", util::local_iso_micro(now));
    }
    for (const std::string& field : spec.fields) apply_field(d, field);
    rj::StringBuffer out;
    // Validating: names and values from the command line may not be UTF-8.
    ExactWriter<rj::Writer<rj::StringBuffer, rj::UTF8<>, rj::UTF8<>, rj::CrtAllocator,
                           rj::kWriteValidateEncodingFlag>>
        writer(out);
    if (!d.Accept(writer)) {
        throw usage_error("--event or -f: text is not valid UTF-8");
    }
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace amr::message
