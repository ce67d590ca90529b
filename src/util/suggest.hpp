// "Did you mean ...?" for mistyped commands and options.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace amr::util {

// Levenshtein distance (insertions, deletions, substitutions, adjacent swaps).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, when near enough to be a typo of it (at most 2 edits,
// and fewer than half of the word's length).
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace amr::util
