// The compiled core's grid: a flat row-major byte array with its shape, and its hash.
//
// Colour 0 is the background in every primitive of the core (the ARC convention; the
// Python DSL's primitives that infer a background stay in Python).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace arc {

constexpr int kMaxSide = 30;  // ARC's grid size limit: a primitive whose output exceeds it fails
constexpr int kColours = 10;

struct Img {
    int h = 0, w = 0;
    std::vector<uint8_t> px;  // h * w cells, row-major

    Img() = default;
    Img(int h_, int w_, uint8_t fill = 0) : h(h_), w(w_), px(static_cast<size_t>(h_) * w_, fill) {}

    uint8_t at(int r, int c) const { return px[static_cast<size_t>(r) * w + c]; }
    uint8_t& at(int r, int c) { return px[static_cast<size_t>(r) * w + c]; }
    int size() const { return h * w; }
    bool same(const Img& o) const { return h == o.h && w == o.w && px == o.px; }
};

inline bool legal_size(int h, int w) { return h >= 1 && w >= 1 && h <= kMaxSide && w <= kMaxSide; }

// 64-bit hash of shape and cells (a splitmix-style mix of 8-byte words).
inline uint64_t mix(uint64_t x) {
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

inline uint64_t hash_img(const Img& g, uint64_t seed = 0x9e3779b97f4a7c15ULL) {
    uint64_t h = mix(seed ^ (static_cast<uint64_t>(g.h) << 8 | static_cast<uint64_t>(g.w)));
    size_t n = g.px.size(), i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        std::memcpy(&word, g.px.data() + i, 8);
        h = mix(h ^ word);
    }
    uint64_t tail = 0;
    for (size_t k = 0; i < n; ++i, ++k) tail |= static_cast<uint64_t>(g.px[i]) << (8 * k);
    return mix(h ^ tail ^ (n << 56));
}

}  // namespace arc
