#include "util/size.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "error.hpp"

namespace amr::util {

size_t parse_size(const std::string& text, const std::string& option) {
    auto bad = [&] {
        return usage_error(option + ": bad size '" + text + "'",
                           "use bytes or a number with K, M or G (KiB, MiB, GiB), e.g. 256MiB");
    };
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) throw bad();
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    std::string unit(end);
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (unit.ends_with("ib")) unit.resize(unit.size() - 2);
    if (unit.ends_with('b')) unit.pop_back();
    double scale;
    if (unit.empty()) {
        scale = 1;
    } else if (unit == "k") {
        scale = 1024.0;
    } else if (unit == "m") {
        scale = 1024.0 * 1024;
    } else if (unit == "g") {
        scale = 1024.0 * 1024 * 1024;
    } else {
        throw bad();
    }
    double bytes = value * scale;
    if (!std::isfinite(bytes) || bytes < 1 || bytes > 1e15) throw bad();
    return static_cast<size_t>(bytes);
}

}  // namespace amr::util
