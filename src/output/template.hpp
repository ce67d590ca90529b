// --format template --template STR: each message printed through a user's template, like
// mosquitto_sub -F and kcat -f. The template is compiled once into literal text and
// placeholders; rendering a message appends their text, with no newline of its own.
//
// Placeholders:
//   {channel}        the channel the message arrived on
//   {pattern}        the pattern it matched (psubscribe); empty otherwise
//   {type}           message, pmessage or smessage
//   {payload}        the payload's exact bytes
//   {data}           the payload parsed as JSON, compacted onto one line (a string bare)
//   {data.PATH}      a field of a JSON payload by dotted path, array indices as numbers
//                    ({data.items.0.sku}): a string bare, any other value as compact JSON;
//                    empty when the field is missing or the payload is not JSON (or nests
//                    deeper than message/json_check.hpp's max_json_depth)
//   {time}           receive time, local, ISO 8601 with milliseconds: 2025-11-20T12:31:14.906
//   {time:FORMAT}    receive time, local, through strftime(3); %3N, %6N, %9N (or %N) add
//                    milli-, micro- or nanoseconds as GNU date does
//   {utc}            receive time in UTC: 2025-11-20T12:31:14.906Z
//   {utc:FORMAT}     receive time in UTC through strftime(3), with %3N...
//   {{  }}           a literal brace
// Escapes, outside placeholders: \t \n \r \0 \e (ESC) \\; any other backslash is an error.
#pragma once

#include <memory>
#include <string_view>

#include "output/formatter.hpp"

namespace amr::output {

// Compiles `text`; a bad template throws a usage Error that names the byte (counting
// from 1) and the fault, e.g. "--template: unknown placeholder {chanel} at byte 12".
// `escape` (stdout is a terminal) writes control bytes of what placeholders insert as
// output/terminal_escape.hpp does; the template's own text, \e included, stays as written.
std::unique_ptr<Formatter> make_template_formatter(std::string_view text, bool escape = false);

}  // namespace amr::output
