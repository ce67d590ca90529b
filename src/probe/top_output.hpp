// What amr top prints each interval: one JSON object (piped), or a screenful of table
// (on a terminal). Pure functions of the rows.
#pragma once

#include <string>
#include <vector>

#include "probe/channel_rates.hpp"

namespace amr::probe {

// {"interval_s":1.0,"channels":[{"channel":...,"rate":...,"bytes_rate":...,"total":...}]}
// and a newline; at most `limit` channels (0: all). A channel name that is not UTF-8 has
// U+FFFD in "channel" and its bytes in "channel_base64", as subscribe -j writes it; the
// row of the channels past the cap has "other":true.
std::string top_json_line(const std::vector<ChannelRow>& rows, double seconds, size_t limit);

struct TableFrame {
    std::string title;  // the first line (patterns, interval)
    int width = 80;     // columns: every line is cut to this
    int height = 24;    // lines: rows that do not fit are left out
};

// The screen's content, drawn from its top-left corner: every line cleared to its end,
// the rest of the screen cleared. Channel names are escaped (no control sequence from
// the network reaches the terminal) and cut to the width.
std::string top_table(const std::vector<ChannelRow>& rows, const TableFrame& frame, size_t limit);

// `text` cut to at most `columns` characters (UTF-8 sequences kept whole).
std::string fit_columns(const std::string& text, int columns);

}  // namespace amr::probe
