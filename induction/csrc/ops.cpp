// The compiled primitives (see ops.hpp). Each is a short pure function over Img; none
// allocates beyond its output and a few small buffers, none can index outside a grid.
#include "ops.hpp"

#include <algorithm>
#include <array>

namespace arc {
namespace {

// ---- helpers ---------------------------------------------------------------------------

std::array<int, kColours> histogram(const Img& g) {
    std::array<int, kColours> n{};
    for (uint8_t v : g.px) n[v]++;
    return n;
}

// The non-zero colours present in a histogram, most frequent first (ties by colour value).
std::vector<int> by_frequency(const std::array<int, kColours>& n) {
    std::vector<int> cols;
    for (int v = 1; v < kColours; ++v)
        if (n[v]) cols.push_back(v);
    std::stable_sort(cols.begin(), cols.end(), [&n](int a, int b) { return n[a] > n[b]; });
    return cols;
}

bool crop(const Img& g, int r0, int c0, int r1, int c1, Img& out) {  // inclusive bounds
    if (r0 > r1 || c0 > c1) return false;
    out = Img(r1 - r0 + 1, c1 - c0 + 1);
    for (int r = r0; r <= r1; ++r)
        for (int c = c0; c <= c1; ++c) out.at(r - r0, c - c0) = g.at(r, c);
    return true;
}

// Bounding box of the cells for which pred(value) holds; false when none does.
template <class Pred>
bool bbox(const Img& g, Pred pred, int& r0, int& c0, int& r1, int& c1) {
    r0 = g.h; c0 = g.w; r1 = -1; c1 = -1;
    for (int r = 0; r < g.h; ++r)
        for (int c = 0; c < g.w; ++c)
            if (pred(g.at(r, c))) {
                r0 = std::min(r0, r); r1 = std::max(r1, r);
                c0 = std::min(c0, c); c1 = std::max(c1, c);
            }
    return r1 >= 0;
}

// The k-th of the eight symmetries of the square (0 identity).
// Whether dihedral transform k (see dihedral_into) swaps height and width.
bool dihedral_swaps(int k) { return k == 1 || k == 3 || k == 6 || k == 7; }

void dihedral_into(const Img& x, int k, Img& out) {
    out = dihedral_swaps(k) ? Img(x.w, x.h) : Img(x.h, x.w);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) {
            int rr = r, cc = c;
            switch (k) {
                case 1: rr = c; cc = x.h - 1 - r; break;          // rotate 90 clockwise
                case 2: rr = x.h - 1 - r; cc = x.w - 1 - c; break;  // rotate 180
                case 3: rr = x.w - 1 - c; cc = r; break;          // rotate 270 clockwise
                case 4: cc = x.w - 1 - c; break;                  // mirror left-right
                case 5: rr = x.h - 1 - r; break;                  // mirror up-down
                case 6: rr = c; cc = r; break;                    // transpose
                case 7: rr = x.w - 1 - c; cc = x.h - 1 - r; break;  // anti-transpose
                default: break;
            }
            out.at(rr, cc) = x.at(r, c);
        }
}

// The index in [0, n) with the highest score, or -1 when two share it (a tie names nothing).
template <class Score>
int unique_best(int n, Score score) {
    int best = -1, ties = 0;
    for (int i = 0; i < n; ++i) {
        if (best < 0 || score(i) > score(best)) { best = i; ties = 0; }
        else if (score(i) == score(best)) ties++;
    }
    return ties ? -1 : best;
}

// The one most frequent non-zero colour of a histogram, or 0 when none is present or two tie.
int most_frequent_colour(const std::array<int, kColours>& n) {
    int colour = unique_best(kColours - 1, [&n](int i) { return n[i + 1]; }) + 1;
    return colour > 0 && n[colour] ? colour : 0;
}

struct Object {
    int colour = 0;  // its colour (the most frequent one for a multicolour object)
    int cells = 0, colours = 0;
    int r0 = kMaxSide, c0 = kMaxSide, r1 = -1, c1 = -1;
    std::vector<int> index;  // r * w + c of its cells
};

// Connected non-zero components: 4-connected of one colour (mode 0) or 8-connected of any
// non-zero colours (mode 1).
std::vector<Object> objects(const Img& g, int mode) {
    std::vector<Object> objs;
    std::vector<int> label(g.px.size(), -1), stack;
    const int dr[8] = {-1, 1, 0, 0, -1, -1, 1, 1}, dc[8] = {0, 0, -1, 1, -1, 1, -1, 1};
    int nd = mode == 0 ? 4 : 8;
    for (int start = 0; start < g.size(); ++start) {
        if (g.px[start] == 0 || label[start] >= 0) continue;
        Object o;
        std::array<int, kColours> hist{};
        label[start] = static_cast<int>(objs.size());
        stack.assign(1, start);
        while (!stack.empty()) {
            int i = stack.back();
            stack.pop_back();
            int r = i / g.w, c = i % g.w;
            o.index.push_back(i);
            hist[g.px[i]]++;
            o.r0 = std::min(o.r0, r); o.r1 = std::max(o.r1, r);
            o.c0 = std::min(o.c0, c); o.c1 = std::max(o.c1, c);
            for (int d = 0; d < nd; ++d) {
                int rr = r + dr[d], cc = c + dc[d];
                if (rr < 0 || cc < 0 || rr >= g.h || cc >= g.w) continue;
                int j = rr * g.w + cc;
                if (label[j] >= 0 || g.px[j] == 0) continue;
                if (mode == 0 && g.px[j] != g.px[start]) continue;
                label[j] = label[start];
                stack.push_back(j);
            }
        }
        o.cells = static_cast<int>(o.index.size());
        for (int v = 1; v < kColours; ++v) {
            if (hist[v]) o.colours++;
            if (hist[v] > hist[o.colour]) o.colour = v;
        }
        objs.push_back(std::move(o));
    }
    return objs;
}

constexpr int kSelectors = 16;

// An object's cells in its bounding box (1), the rest of the box 0; w is the grid's width.
Img box_mask(const Object& o, int w) {
    Img mask(o.r1 - o.r0 + 1, o.c1 - o.c0 + 1);
    for (int k : o.index) mask.at(k / w - o.r0, k % w - o.c0) = 1;
    return mask;
}

// An object's shape: its cells relative to its bounding box (colours ignored).
uint64_t shape_hash(const Object& o, int w) { return hash_img(box_mask(o, w)); }

// Whether an object's shape is its own left-right or up-down mirror image.
bool shape_symmetric(const Object& o, int w) {
    Img mask = box_mask(o, w);
    int bh = mask.h, bw = mask.w;
    bool lr = true, ud = true;
    for (int r = 0; r < bh; ++r)
        for (int c = 0; c < bw; ++c) {
            lr &= mask.at(r, c) == mask.at(r, bw - 1 - c);
            ud &= mask.at(r, c) == mask.at(bh - 1 - r, c);
        }
    return lr || ud;
}

// An object's bounding box with its holes marked: 0 where an empty cell of the box cannot
// reach the box's border through empty cells, non-zero elsewhere.
Img hole_mask(const Object& o, int w) {
    Img mask = box_mask(o, w);
    int bh = mask.h, bw = mask.w;
    std::vector<int> stack;
    for (int r = 0; r < bh; ++r)
        for (int c = 0; c < bw; ++c)
            if ((r == 0 || c == 0 || r == bh - 1 || c == bw - 1) && !mask.at(r, c)) {
                mask.at(r, c) = 2;
                stack.push_back(r * bw + c);
            }
    const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    while (!stack.empty()) {
        int i = stack.back();
        stack.pop_back();
        for (int d = 0; d < 4; ++d) {
            int rr = i / bw + dr[d], cc = i % bw + dc[d];
            if (rr < 0 || cc < 0 || rr >= bh || cc >= bw || mask.at(rr, cc)) continue;
            mask.at(rr, cc) = 2;
            stack.push_back(rr * bw + cc);
        }
    }
    return mask;
}

int holes(const Object& o, int w) {
    Img mask = hole_mask(o, w);
    return static_cast<int>(std::count(mask.px.begin(), mask.px.end(), 0));
}

// The object a selector names, or -1 when none or a tie makes it ambiguous:
// 0 largest, 1 smallest, 2 topmost, 3 bottommost, 4 leftmost, 5 rightmost,
// 6 most colours, 7 the only object of its colour, 8 largest bounding box, 9 smallest
// bounding box, 10 the only one off the border, 11 the densest (cells per box cell),
// 12 the only one whose shape no other object has (while some other shape repeats),
// 13 most holes, 14 the only symmetric one, or the only asymmetric one, 15 the first of
// the objects that repeat most often (same shape and main colour).
int select_object(const std::vector<Object>& objs, int sel, int h, int w) {
    if (objs.size() < 2) return objs.empty() ? -1 : 0;
    if (sel == 12) {
        std::vector<uint64_t> hs;
        for (const auto& o : objs) hs.push_back(shape_hash(o, w));
        int odd = -1, repeated = 0;
        for (size_t i = 0; i < hs.size(); ++i) {
            int n = static_cast<int>(std::count(hs.begin(), hs.end(), hs[i]));
            if (n == 1) {
                if (odd >= 0) return -1;
                odd = static_cast<int>(i);
            } else {
                repeated++;
            }
        }
        return repeated ? odd : -1;
    }
    if (sel == 15) {
        std::vector<uint64_t> hs;
        for (const auto& o : objs) hs.push_back(shape_hash(o, w) ^ mix(static_cast<uint64_t>(o.colour) + 1));
        std::vector<int> n;
        for (auto hv : hs) n.push_back(static_cast<int>(std::count(hs.begin(), hs.end(), hv)));
        int best = -1;
        for (size_t i = 0; i < n.size(); ++i)
            if (best < 0 || n[i] > n[best]) best = static_cast<int>(i);
        for (size_t i = 0; i < n.size(); ++i)  // another group as large: ambiguous
            if (n[i] == n[best] && hs[i] != hs[best]) return -1;
        return n[best] >= 2 ? best : -1;
    }
    if (sel == 13) {
        std::vector<int> n;
        for (const auto& o : objs) n.push_back(holes(o, w));
        int best = unique_best(static_cast<int>(objs.size()), [&n](int i) { return n[i]; });
        return best >= 0 && n[best] > 0 ? best : -1;
    }
    if (sel == 14) {
        std::vector<bool> sym;
        int n_sym = 0;
        for (const auto& o : objs) { sym.push_back(shape_symmetric(o, w)); n_sym += sym.back(); }
        int n = static_cast<int>(objs.size());
        if (n_sym != 1 && n_sym != n - 1) return -1;
        for (int i = 0; i < n; ++i)
            if (sym[i] == (n_sym == 1)) return i;
        return -1;
    }
    auto unique = [&objs](auto pred) {
        int found = -1;
        for (size_t i = 0; i < objs.size(); ++i)
            if (pred(objs[i])) {
                if (found >= 0) return -1;
                found = static_cast<int>(i);
            }
        return found;
    };
    if (sel == 7) {
        std::array<int, kColours> n{};
        for (const auto& o : objs) n[o.colour]++;
        return unique([&n](const Object& o) { return n[o.colour] == 1; });
    }
    if (sel == 10)
        return unique([h, w](const Object& o) { return o.r0 > 0 && o.c0 > 0 && o.r1 < h - 1 && o.c1 < w - 1; });
    auto score = [sel](const Object& o) {
        int area = (o.r1 - o.r0 + 1) * (o.c1 - o.c0 + 1);
        switch (sel) {
            case 0: return o.cells;
            case 1: return -o.cells;
            case 2: return -o.r0;
            case 3: return o.r1;
            case 4: return -o.c0;
            case 5: return o.c1;
            case 6: return o.colours;
            case 8: return area;
            case 9: return -area;
            default: return o.cells * 1000 / area;
        }
    };
    return unique_best(static_cast<int>(objs.size()), [&](int i) { return score(objs[i]); });
}

using Box = std::array<int, 4>;  // r0, c0, r1, c1, inclusive

// The cells between separator lines (whole rows/columns of one non-zero colour: the colour
// with the most such inner lines), at least two, in reading order.
bool separated_boxes(const Img& g, std::vector<Box>& boxes) {
    boxes.clear();
    // the separator colour: the non-zero colour with the most whole lines (rows + columns)
    auto line_colour = [&](bool row, int i) {
        int n = row ? g.w : g.h;
        uint8_t v = row ? g.at(i, 0) : g.at(0, i);
        for (int k = 1; k < n; ++k)
            if ((row ? g.at(i, k) : g.at(k, i)) != v) return -1;
        return static_cast<int>(v);
    };
    std::vector<int> row_colour(g.h), col_colour(g.w);
    std::array<int, kColours> lines{};
    // (counting inner lines only: a line on the border splits nothing)
    for (int r = 0; r < g.h; ++r) {
        row_colour[r] = line_colour(true, r);
        if (row_colour[r] > 0 && r > 0 && r + 1 < g.h) lines[row_colour[r]]++;
    }
    for (int c = 0; c < g.w; ++c) {
        col_colour[c] = line_colour(false, c);
        if (col_colour[c] > 0 && c > 0 && c + 1 < g.w) lines[col_colour[c]]++;
    }
    int colour = static_cast<int>(std::max_element(lines.begin() + 1, lines.end()) - lines.begin());
    if (!lines[colour]) return false;
    std::vector<bool> sep_row(g.h, false), sep_col(g.w, false);
    for (int r = 0; r < g.h; ++r) sep_row[r] = row_colour[r] == colour;
    for (int c = 0; c < g.w; ++c) sep_col[c] = col_colour[c] == colour;
    auto spans = [](const std::vector<bool>& sep) {
        std::vector<std::pair<int, int>> out;
        int start = -1;
        for (int i = 0; i <= static_cast<int>(sep.size()); ++i) {
            bool s = i == static_cast<int>(sep.size()) || sep[i];
            if (!s && start < 0) start = i;
            if (s && start >= 0) { out.emplace_back(start, i - 1); start = -1; }
        }
        return out;
    };
    auto rows = spans(sep_row), cols = spans(sep_col);
    for (auto [r0, r1] : rows)
        for (auto [c0, c1] : cols) boxes.push_back({r0, c0, r1, c1});
    return boxes.size() >= 2;
}

const std::vector<Object>& objects_of(const Img& g, int mode);

// The grid cut into parts: by separator lines (whole rows/columns of one non-zero colour,
// split = 0), into left/right (1) or top/bottom (2) halves (an odd middle line dropped), or
// into its objects (3: 8-connected, any colours, each alone in its bounding box, in the
// order found), at least two.
bool split(const Img& g, int how, std::vector<Img>& parts) {
    parts.clear();
    if (how == 3) {
        for (const Object& o : objects_of(g, 1)) {
            Img p(o.r1 - o.r0 + 1, o.c1 - o.c0 + 1);
            for (int i : o.index) p.at(i / g.w - o.r0, i % g.w - o.c0) = g.px[i];
            parts.push_back(std::move(p));
        }
        return parts.size() >= 2;
    }
    if (how == 1 || how == 2) {
        int n = how == 1 ? g.w : g.h, half = n / 2;
        if (half < 1) return false;
        Img a, b;
        if (how == 1) { crop(g, 0, 0, g.h - 1, half - 1, a); crop(g, 0, n - half, g.h - 1, n - 1, b); }
        else { crop(g, 0, 0, half - 1, g.w - 1, a); crop(g, n - half, 0, n - 1, g.w - 1, b); }
        parts.push_back(std::move(a));
        parts.push_back(std::move(b));
        return true;
    }
    std::vector<Box> boxes;
    if (!separated_boxes(g, boxes)) return false;
    for (const Box& b : boxes) {
        Img p;
        crop(g, b[0], b[1], b[2], b[3], p);
        parts.push_back(std::move(p));
    }
    return true;
}

int nonzero(const Img& g) {
    int n = 0;
    for (uint8_t v : g.px) n += v != 0;
    return n;
}

int colour_count(const Img& g) {
    auto n = histogram(g);
    int k = 0;
    for (int v = 1; v < kColours; ++v) k += n[v] > 0;
    return k;
}

// ---- the primitives --------------------------------------------------------------------

bool op_dihedral(const Img& x, int k, const Img&, Img& out) {
    dihedral_into(x, k, out);
    return true;
}

bool op_crop_content(const Img& x, int, const Img&, Img& out) {
    int r0, c0, r1, c1;
    if (!bbox(x, [](uint8_t v) { return v != 0; }, r0, c0, r1, c1)) return false;
    return crop(x, r0, c0, r1, c1, out);
}

bool op_crop_colour(const Img& x, int colour, const Img&, Img& out) {
    int r0, c0, r1, c1;
    if (!bbox(x, [colour](uint8_t v) { return v == colour; }, r0, c0, r1, c1)) return false;
    return crop(x, r0, c0, r1, c1, out);
}

bool op_keep_colour(const Img& x, int colour, const Img&, Img& out) {
    out = x;
    bool any = false;
    for (auto& v : out.px) {
        any |= v == colour;
        if (v != colour) v = 0;
    }
    return any;
}

bool op_remove_colour(const Img& x, int colour, const Img&, Img& out) {
    out = x;
    bool any = false;
    for (auto& v : out.px)
        if (v == colour) { v = 0; any = true; }
    return any;
}

bool op_paint(const Img& x, int colour, const Img&, Img& out) {
    out = x;
    for (auto& v : out.px)
        if (v) v = static_cast<uint8_t>(colour);
    return true;
}

// What the object families derive from a grid, computed once per grid: the enumeration
// calls every selector and every object family on the same state's grids one after another.
// A small direct-mapped cache per thread, keyed by the grid's cells (compared in full, so a
// hash collision costs a recomputation, never a wrong object).
struct Derived {
    Img grid;
    bool valid = false;
    bool have_objs[2] = {false, false};
    std::vector<Object> objs[2];
    std::array<int, kSelectors> selected[2];  // -2: not yet computed
    bool have_near = false;
    std::vector<int> near[3];  // empty cells next to a non-zero one: by side, by corner, either
};

constexpr int kCacheSlots = 64;

Derived& derived(const Img& g) {
    thread_local std::vector<Derived> cache(kCacheSlots);
    thread_local Derived* last = nullptr;  // the enumeration asks for one grid many times in a row
    if (last && last->valid && last->grid.same(g)) return *last;
    uint64_t h = hash_img(g);
    Derived& d = cache[h % kCacheSlots];
    if (!d.valid || !d.grid.same(g)) {
        d.grid = g;
        d.valid = true;
        d.have_objs[0] = d.have_objs[1] = false;
        d.have_near = false;
    }
    last = &d;
    return d;
}

const std::vector<Object>& objects_of(Derived& d, int mode) {
    if (!d.have_objs[mode]) {
        d.objs[mode] = objects(d.grid, mode);
        d.selected[mode].fill(-2);
        d.have_objs[mode] = true;
    }
    return d.objs[mode];
}

const std::vector<Object>& objects_of(const Img& g, int mode) { return objects_of(derived(g), mode); }

// select_object over objects_of(d, mode), remembered with them.
int selected_object(Derived& d, int mode, int sel) {
    const auto& objs = objects_of(d, mode);
    int& i = d.selected[mode][sel];
    if (i == -2) i = select_object(objs, sel, d.grid.h, d.grid.w);
    return i;
}

// param = mode * kSelectors + selector (see objects, select_object); kind 0: the object alone,
// cropped; 1: its bounding box of the grid; 2: the grid without it.
bool object_op(const Img& x, int param, int kind, Img& out) {
    int mode = param / kSelectors;
    Derived& d = derived(x);
    int i = selected_object(d, mode, param % kSelectors);
    if (i < 0) return false;
    const auto& objs = objects_of(d, mode);
    const Object& o = objs[i];
    if (kind == 2) {
        if (objs.size() < 2) return false;
        out = x;
        for (int k : o.index) out.px[k] = 0;
        return true;
    }
    if (kind == 1) return crop(x, o.r0, o.c0, o.r1, o.c1, out);
    out = Img(o.r1 - o.r0 + 1, o.c1 - o.c0 + 1);
    for (int k : o.index) out.at(k / x.w - o.r0, k % x.w - o.c0) = x.px[k];
    return true;
}

bool op_crop_object(const Img& x, int p, const Img&, Img& out) { return object_op(x, p, 0, out); }
bool op_crop_object_box(const Img& x, int p, const Img&, Img& out) { return object_op(x, p, 1, out); }
bool op_remove_object(const Img& x, int p, const Img&, Img& out) { return object_op(x, p, 2, out); }

// param = split * 4 + mode; mode 0: first non-zero of the parts, 1: cells non-zero in
// every part (first part's colour), 2: in exactly one part (its colour), 3: in none (colour 1).
bool op_part_overlay(const Img& x, int param, const Img&, Img& out) {
    std::vector<Img> parts;
    if (!split(x, param / 4, parts)) return false;
    for (const auto& p : parts)
        if (p.h != parts[0].h || p.w != parts[0].w) return false;
    int mode = param % 4;
    out = Img(parts[0].h, parts[0].w);
    for (int i = 0; i < out.size(); ++i) {
        int count = 0, first = 0;
        for (const auto& p : parts)
            if (p.px[i]) { if (!count) first = p.px[i]; count++; }
        int n = static_cast<int>(parts.size());
        switch (mode) {
            case 0: out.px[i] = static_cast<uint8_t>(first); break;
            case 1: out.px[i] = static_cast<uint8_t>(count == n ? parts[0].px[i] : 0); break;
            case 2: out.px[i] = static_cast<uint8_t>(count == 1 ? first : 0); break;
            default: out.px[i] = static_cast<uint8_t>(count == 0 ? 1 : 0); break;
        }
    }
    return true;
}

// The part (separator split) named by: 0 most non-zero cells, 1 fewest (but some),
// 2 the one unlike the others (which are all alike), 3 most colours, 4 fewest colours.
bool op_part_pick(const Img& x, int sel, const Img&, Img& out) {
    std::vector<Img> parts;
    if (!split(x, 0, parts)) return false;
    int n = static_cast<int>(parts.size());
    if (sel == 2) {
        for (int i = 0; i < n; ++i) {
            const Img& other = parts[(i + 1) % n];
            bool odd = true;
            for (int j = 0; j < n && odd; ++j)
                if (j != i) odd = !parts[j].same(parts[i]) && parts[j].same(other);
            if (odd) { out = parts[i]; return true; }
        }
        return false;
    }
    auto score = [sel](const Img& p) {
        switch (sel) {
            case 0: return nonzero(p);
            case 1: { int k = nonzero(p); return k ? -k : -1000; }
            case 3: return colour_count(p);
            default: return -colour_count(p);
        }
    };
    int best = unique_best(n, [&](int i) { return score(parts[i]); });
    if (best < 0) return false;
    out = parts[best];
    return true;
}

// The cells between separator lines (see separated_boxes) changed in place, the lines kept:
// mode 0 the parts with the most non-zero cells kept (ties too), the others emptied; 1 as 0,
// the kept parts filled with their most frequent colour; 2 and 3 as 0 and 1 for the parts
// with the fewest non-zero cells (but some); 4 every part filled with its most frequent
// colour. Applies only when it changes something.
bool op_part_keep(const Img& x, int mode, const Img&, Img& out) {
    std::vector<Box> boxes;
    if (!separated_boxes(x, boxes)) return false;
    int n = static_cast<int>(boxes.size());
    std::vector<int> count(n, 0), main(n, 0);
    for (int i = 0; i < n; ++i) {
        std::array<int, kColours> hist{};
        const Box& b = boxes[i];
        for (int r = b[0]; r <= b[2]; ++r)
            for (int c = b[1]; c <= b[3]; ++c) hist[x.at(r, c)]++;
        for (int v = 1; v < kColours; ++v) {
            count[i] += hist[v];
            if (hist[v] > (main[i] ? hist[main[i]] : 0)) main[i] = v;
        }
    }
    std::vector<bool> keep(n, true);
    if (mode < 4) {
        bool most = mode < 2;
        int best = -1;
        for (int i = 0; i < n; ++i)
            if (count[i] && (best < 0 || (most ? count[i] > best : count[i] < best))) best = count[i];
        for (int i = 0; i < n; ++i) keep[i] = count[i] && count[i] == best;
    }
    bool fill = mode == 1 || mode == 3 || mode == 4;
    out = x;
    for (int i = 0; i < n; ++i) {
        const Box& b = boxes[i];
        for (int r = b[0]; r <= b[2]; ++r)
            for (int c = b[1]; c <= b[3]; ++c) out.at(r, c) = !keep[i] ? 0 : fill ? main[i] : x.at(r, c);
    }
    return !out.same(x);
}

// 0 top, 1 bottom, 2 left, 3 right half (an odd middle line dropped).
bool op_half(const Img& x, int k, const Img&, Img& out) {
    int hh = x.h / 2, hw = x.w / 2;
    switch (k) {
        case 0: return crop(x, 0, 0, hh - 1, x.w - 1, out);
        case 1: return crop(x, x.h - hh, 0, x.h - 1, x.w - 1, out);
        case 2: return crop(x, 0, 0, x.h - 1, hw - 1, out);
        default: return crop(x, 0, x.w - hw, x.h - 1, x.w - 1, out);
    }
}

bool op_scale_up(const Img& x, int k, const Img&, Img& out) {
    if (!legal_size(x.h * k, x.w * k)) return false;
    out = Img(x.h * k, x.w * k);
    for (int r = 0; r < out.h; ++r)
        for (int c = 0; c < out.w; ++c) out.at(r, c) = x.at(r / k, c / k);
    return true;
}

bool op_scale_down(const Img& x, int k, const Img&, Img& out) {
    if (x.h % k || x.w % k) return false;
    out = Img(x.h / k, x.w / k);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) {
            if (x.at(r, c) != x.at(r - r % k, c - c % k)) return false;
            out.at(r / k, c / k) = x.at(r, c);
        }
    return true;
}

// Repeats: 0 1x2, 1 2x1, 2 2x2, 3 3x3, 4 1x3, 5 3x1.
bool op_tile(const Img& x, int mode, const Img&, Img& out) {
    static const int reps[6][2] = {{1, 2}, {2, 1}, {2, 2}, {3, 3}, {1, 3}, {3, 1}};
    int ry = reps[mode][0], rx = reps[mode][1];
    if (!legal_size(x.h * ry, x.w * rx)) return false;
    out = Img(x.h * ry, x.w * rx);
    for (int r = 0; r < out.h; ++r)
        for (int c = 0; c < out.w; ++c) out.at(r, c) = x.at(r % x.h, c % x.w);
    return true;
}

// The grid beside its mirror image: 0 [x | mirror], 1 [x ; mirror], 2 both (2x2); 3 and 4
// as 0 and 1 with the edge line shared (not repeated).
bool op_mirror_tile(const Img& x, int mode, const Img&, Img& out) {
    if (mode >= 3) {  // the mirror image sharing the edge line: 3 right of x, 4 below x
        bool right = mode == 3;
        int h = right ? x.h : 2 * x.h - 1, w = right ? 2 * x.w - 1 : x.w;
        if (x.h < 2 && !right) return false;
        if (x.w < 2 && right) return false;
        if (!legal_size(h, w)) return false;
        out = Img(h, w);
        for (int r = 0; r < h; ++r)
            for (int c = 0; c < w; ++c)
                out.at(r, c) = x.at(right || r < x.h ? r : 2 * x.h - 2 - r, !right || c < x.w ? c : 2 * x.w - 2 - c);
        return true;
    }
    int ry = mode == 0 ? 1 : 2, rx = mode == 1 ? 1 : 2;
    if (!legal_size(x.h * ry, x.w * rx)) return false;
    out = Img(x.h * ry, x.w * rx);
    for (int r = 0; r < out.h; ++r)
        for (int c = 0; c < out.w; ++c) {
            int sr = r < x.h ? r : 2 * x.h - 1 - r, sc = c < x.w ? c : 2 * x.w - 1 - c;
            out.at(r, c) = x.at(sr, sc);
        }
    return true;
}

// The grid placed where its own cells are non-zero (mode 0, a fractal of itself) or where
// they are zero (mode 1); mode 2: each cell becomes a block of its colour shaped like the
// grid's non-zero cells.
bool op_self_tile(const Img& x, int mode, const Img&, Img& out) {
    if (!legal_size(x.h * x.h, x.w * x.w)) return false;
    out = Img(x.h * x.h, x.w * x.w);
    for (int r = 0; r < out.h; ++r)
        for (int c = 0; c < out.w; ++c) {
            uint8_t outer = x.at(r / x.h, c / x.w), inner = x.at(r % x.h, c % x.w);
            if (mode == 0 && outer) out.at(r, c) = inner;
            if (mode == 1 && !outer) out.at(r, c) = inner;
            if (mode == 2 && inner) out.at(r, c) = outer;
        }
    return true;
}

// Empty cells take the colour of their image under: 0 left-right mirror, 1 up-down, 2 half
// turn, 3 transpose, 4 both mirrors, 5 all four quarter turns.
bool op_symmetrize(const Img& x, int mode, const Img&, Img& out) {
    static const std::vector<int> views[6] = {{4}, {5}, {2}, {6}, {4, 5, 2}, {1, 2, 3}};
    if ((mode == 3 || mode == 5) && x.h != x.w) return false;
    out = x;
    Img t;
    for (int k : views[mode]) {
        dihedral_into(x, k, t);
        for (int i = 0; i < out.size(); ++i)
            if (!out.px[i]) out.px[i] = t.px[i];
    }
    return true;
}

// Non-zero cells fall to one side, keeping their order: 0 down, 1 up, 2 left, 3 right.
bool op_gravity(const Img& x, int dir, const Img&, Img& out) {
    out = Img(x.h, x.w);
    bool vertical = dir < 2;
    int lines = vertical ? x.w : x.h, len = vertical ? x.h : x.w;
    std::vector<uint8_t> cells;
    for (int l = 0; l < lines; ++l) {
        cells.clear();
        for (int k = 0; k < len; ++k) {
            uint8_t v = vertical ? x.at(k, l) : x.at(l, k);
            if (v) cells.push_back(v);
        }
        int n = static_cast<int>(cells.size());
        bool to_end = dir == 0 || dir == 3;
        for (int k = 0; k < n; ++k) {
            int pos = to_end ? len - n + k : k;
            (vertical ? out.at(pos, l) : out.at(l, pos)) = cells[k];
        }
    }
    return true;
}

// Empty cells that cannot reach the border through empty cells take `colour`.
bool op_fill_enclosed(const Img& x, int colour, const Img&, Img& out) {
    std::vector<uint8_t> outside(x.px.size(), 0);
    std::vector<int> stack;
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c)
            if ((r == 0 || c == 0 || r == x.h - 1 || c == x.w - 1) && !x.at(r, c)) {
                outside[r * x.w + c] = 1;
                stack.push_back(r * x.w + c);
            }
    while (!stack.empty()) {
        int i = stack.back();
        stack.pop_back();
        int r = i / x.w, c = i % x.w;
        const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
        for (int d = 0; d < 4; ++d) {
            int rr = r + dr[d], cc = c + dc[d];
            if (rr < 0 || cc < 0 || rr >= x.h || cc >= x.w) continue;
            int j = rr * x.w + cc;
            if (!outside[j] && !x.px[j]) { outside[j] = 1; stack.push_back(j); }
        }
    }
    out = x;
    bool any = false;
    for (int i = 0; i < x.size(); ++i)
        if (!x.px[i] && !outside[i]) { out.px[i] = static_cast<uint8_t>(colour); any = true; }
    return any;
}

// Rows and columns that are all background removed.
bool op_compress(const Img& x, int, const Img&, Img& out) {
    std::vector<int> rows, cols;
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c)
            if (x.at(r, c)) { rows.push_back(r); break; }
    for (int c = 0; c < x.w; ++c)
        for (int r = 0; r < x.h; ++r)
            if (x.at(r, c)) { cols.push_back(c); break; }
    if (rows.empty()) return false;
    out = Img(static_cast<int>(rows.size()), static_cast<int>(cols.size()));
    for (int i = 0; i < out.h; ++i)
        for (int j = 0; j < out.w; ++j) out.at(i, j) = x.at(rows[i], cols[j]);
    return true;
}

// Runs of equal adjacent rows (axis 0) or columns (axis 1) kept once.
bool op_dedupe(const Img& x, int axis, const Img&, Img& out) {
    Img t;
    const Img& g = axis == 0 ? x : (dihedral_into(x, 6, t), t);
    std::vector<int> keep;
    for (int r = 0; r < g.h; ++r)
        if (r == 0 || !std::equal(g.px.begin() + r * g.w, g.px.begin() + (r + 1) * g.w,
                                  g.px.begin() + (r - 1) * g.w))
            keep.push_back(r);
    Img d(static_cast<int>(keep.size()), g.w);
    for (int i = 0; i < d.h; ++i)
        for (int c = 0; c < g.w; ++c) d.at(i, c) = g.at(keep[i], c);
    if (axis == 0) out = std::move(d);
    else dihedral_into(d, 6, out);
    return true;
}

// Background and the one foreground colour swapped.
bool op_invert(const Img& x, int, const Img&, Img& out) {
    auto n = histogram(x);
    int fg = 0;
    for (int v = 1; v < kColours; ++v)
        if (n[v]) { if (fg) return false; fg = v; }
    if (!fg) return false;
    out = x;
    for (auto& v : out.px) v = v ? 0 : static_cast<uint8_t>(fg);
    return true;
}

// Cells whose four neighbours are all non-zero emptied (objects hollowed to their outline).
bool op_outline(const Img& x, int, const Img&, Img& out) {
    out = x;
    bool any = false;
    for (int r = 1; r + 1 < x.h; ++r)
        for (int c = 1; c + 1 < x.w; ++c)
            if (x.at(r, c) && x.at(r - 1, c) && x.at(r + 1, c) && x.at(r, c - 1) && x.at(r, c + 1)) {
                out.at(r, c) = 0;
                any = true;
            }
    return any;
}

// The state laid over the task's input (0) or the input over the state (1): empty cells of
// the upper grid show the lower one.
bool op_overlay_input(const Img& x, int mode, const Img& input, Img& out) {
    if (x.h != input.h || x.w != input.w) return false;
    const Img& top = mode == 0 ? x : input;
    const Img& low = mode == 0 ? input : x;
    out = top;
    for (int i = 0; i < out.size(); ++i)
        if (!out.px[i]) out.px[i] = low.px[i];
    return true;
}

// The input's cells where the state is non-zero (0) or zero (1); the state's cells where
// it differs from the input (2).
bool op_mask_input(const Img& x, int mode, const Img& input, Img& out) {
    if (x.h != input.h || x.w != input.w) return false;
    if (mode == 2) {
        out = x;
        for (int i = 0; i < out.size(); ++i)
            if (x.px[i] == input.px[i]) out.px[i] = 0;
        return true;
    }
    out = input;
    for (int i = 0; i < out.size(); ++i)
        if ((x.px[i] != 0) == (mode == 1)) out.px[i] = 0;
    return true;
}

// op_draw_lines' straight modes (0..6) in one pass over the grid: an empty cell takes the
// colour of the first source, in row-major order, whose line reaches it, as if every
// source drew its lines one after another over the empty cells.
bool straight_lines(const Img& x, int mode, Img& out) {
    std::array<int, kMaxSide> row_first, col_top;  // leftmost column / topmost row set, or -1
    row_first.fill(-1);
    col_top.fill(-1);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c)
            if (x.at(r, c)) {
                if (row_first[r] < 0) row_first[r] = c;
                if (col_top[c] < 0) col_top[c] = r;
            }
    out = x;
    bool any = false;
    auto paint = [&](int r, int c, uint8_t v) {
        if (v) { out.at(r, c) = v; any = true; }
    };
    if (mode == 3 || mode == 5) {  // rays up (left): the nearest source below (to the right)
        bool up = mode == 3;
        int lines = up ? x.w : x.h, len = up ? x.h : x.w;
        for (int l = 0; l < lines; ++l) {
            uint8_t v = 0;
            for (int k = len - 1; k >= 0; --k) {
                uint8_t cell = up ? x.at(k, l) : x.at(l, k);
                if (cell) v = cell;
                else if (up) paint(k, l, v);
                else paint(l, k, v);
            }
        }
        return any;
    }
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) {
            if (x.at(r, c)) continue;
            int top = col_top[c], left = row_first[r];
            uint8_t from_col = top >= 0 ? x.at(top, c) : 0, from_row = left >= 0 ? x.at(r, left) : 0;
            switch (mode) {
                case 0: paint(r, c, from_row); break;
                case 1: paint(r, c, from_col); break;
                case 2: paint(r, c, top >= 0 && top < r ? from_col : from_row ? from_row : from_col); break;
                case 4: paint(r, c, top >= 0 && top < r ? from_col : 0); break;  // rays down: the topmost above
                default: paint(r, c, left >= 0 && left < c ? from_row : 0); break;  // rays right: the leftmost
            }
        }
    return any;
}

// Lines from every non-zero cell, over empty cells only: 0 its whole row, 1 its whole
// column, 2 both, 3..6 a ray up, down, left, right to the border, 7..10 a diagonal ray
// down-right, down-left, up-right, up-left, 11 all four diagonals.
bool op_draw_lines(const Img& x, int mode, const Img&, Img& out) {
    if (mode <= 6) return straight_lines(x, mode, out);
    out = x;
    bool any = false;
    auto paint = [&](int r, int c, uint8_t v) {
        if (!out.at(r, c)) { out.at(r, c) = v; any = true; }
    };
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) {
            uint8_t v = x.at(r, c);
            if (!v) continue;
            if (mode == 0 || mode == 2) for (int k = 0; k < x.w; ++k) paint(r, k, v);
            if (mode == 1 || mode == 2) for (int k = 0; k < x.h; ++k) paint(k, c, v);
            if (mode == 3) for (int k = r - 1; k >= 0; --k) paint(k, c, v);
            if (mode == 4) for (int k = r + 1; k < x.h; ++k) paint(k, c, v);
            if (mode == 5) for (int k = c - 1; k >= 0; --k) paint(r, k, v);
            if (mode == 6) for (int k = c + 1; k < x.w; ++k) paint(r, k, v);
            if (mode >= 7) {  // diagonal rays: 7 down-right, 8 down-left, 9 up-right, 10 up-left, 11 all four
                const int dr[4] = {1, 1, -1, -1}, dc[4] = {1, -1, 1, -1};
                for (int d = 0; d < 4; ++d) {
                    if (mode != 11 && d != mode - 7) continue;
                    for (int rr = r + dr[d], cc = c + dc[d]; rr >= 0 && cc >= 0 && rr < x.h && cc < x.w;
                         rr += dr[d], cc += dc[d])
                        paint(rr, cc, v);
                }
            }
        }
    return any;
}

// Empty cells between two cells of one colour on a row (0), a column (1) or either (2)
// take that colour.
bool op_connect(const Img& x, int mode, const Img&, Img& out) {
    out = x;
    bool any = false;
    auto run = [&](bool rows) {
        int lines = rows ? x.h : x.w, len = rows ? x.w : x.h;
        for (int l = 0; l < lines; ++l) {
            int last = -1;
            for (int k = 0; k < len; ++k) {
                uint8_t v = rows ? x.at(l, k) : x.at(k, l);
                if (!v) continue;
                if (last >= 0 && (rows ? x.at(l, last) : x.at(last, l)) == v)
                    for (int m = last + 1; m < k; ++m) {
                        uint8_t& cell = rows ? out.at(l, m) : out.at(m, l);
                        if (!cell) { cell = v; any = true; }
                    }
                last = k;
            }
        }
    };
    if (mode != 1) run(true);
    if (mode != 0) run(false);
    return any;
}

// Objects (8-connected, any colours) of at most k cells removed.
bool op_remove_small(const Img& x, int k, const Img&, Img& out) {
    out = x;
    bool any = false, kept = false;
    for (const auto& o : objects_of(x, 1)) {
        if (o.cells > k) { kept = true; continue; }
        for (int i : o.index) out.px[i] = 0;
        any = true;
    }
    return any && kept;
}

// Only the most (0) or least (1) frequent non-zero colour kept.
bool op_keep_frequent(const Img& x, int mode, const Img&, Img& out) {
    auto n = histogram(x);
    std::vector<int> present;
    for (int v = 1; v < kColours; ++v)
        if (n[v]) present.push_back(v);
    int best = unique_best(static_cast<int>(present.size()),
                           [&](int i) { return mode == 0 ? n[present[i]] : -n[present[i]]; });
    if (best < 0) return false;  // no colour, or a tie names none
    return op_keep_colour(x, present[best], x, out);
}

// Everything moved one cell: 0 up, 1 down, 2 left, 3 right (the border's far side empty).
bool op_shift(const Img& x, int dir, const Img&, Img& out) {
    static const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    out = Img(x.h, x.w);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) {
            int rr = r + dr[dir], cc = c + dc[dir];
            if (rr >= 0 && cc >= 0 && rr < x.h && cc < x.w) out.at(rr, cc) = x.at(r, c);
        }
    return true;
}

// Scaled down by k, each k x k block becoming its most frequent non-zero colour (0 if empty).
bool op_scale_down_any(const Img& x, int k, const Img&, Img& out) {
    if (x.h % k || x.w % k || (x.h == k && x.w == k)) return false;
    out = Img(x.h / k, x.w / k);
    for (int br = 0; br < out.h; ++br)
        for (int bc = 0; bc < out.w; ++bc) {
            std::array<int, kColours> n{};
            for (int r = 0; r < k; ++r)
                for (int c = 0; c < k; ++c) n[x.at(br * k + r, bc * k + c)]++;
            int best = 0;
            for (int v = 1; v < kColours; ++v)
                if (n[v] > (best ? n[best] : 0)) best = v;
            out.at(br, bc) = static_cast<uint8_t>(best);
        }
    return true;
}

// Each object's (8-connected, any colours) bounding box: empty cells take its main colour.
bool op_hull(const Img& x, int, const Img&, Img& out) {
    out = x;
    bool any = false;
    for (const auto& o : objects_of(x, 1))
        for (int r = o.r0; r <= o.r1; ++r)
            for (int c = o.c0; c <= o.c1; ++c)
                if (!out.at(r, c)) { out.at(r, c) = static_cast<uint8_t>(o.colour); any = true; }
    return any;
}

// The grid's outermost cells painted `colour`.
bool op_frame(const Img& x, int colour, const Img&, Img& out) {
    out = x;
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c)
            if (r == 0 || c == 0 || r == x.h - 1 || c == x.w - 1) out.at(r, c) = static_cast<uint8_t>(colour);
    return true;
}

// A 1x1 grid of the most (0) or least (1) frequent non-zero colour.
bool op_colour_cell(const Img& x, int mode, const Img&, Img& out) {
    Img kept;
    if (!op_keep_frequent(x, mode, x, kept)) return false;
    uint8_t v = 0;
    for (uint8_t c : kept.px) v = std::max(v, c);
    out = Img(1, 1, v);
    return true;
}

// The 8-connected object (any colours) with the most cells of `colour`, cropped.
bool op_crop_object_having(const Img& x, int colour, const Img&, Img& out) {
    const auto& objs = objects_of(x, 1);
    std::vector<int> n(objs.size(), 0);
    for (size_t i = 0; i < objs.size(); ++i)
        for (int k : objs[i].index) n[i] += x.px[k] == colour;
    int i = unique_best(static_cast<int>(objs.size()), [&n](int j) { return n[j]; });
    if (i < 0 || n[i] == 0) return false;
    return crop(x, objs[i].r0, objs[i].c0, objs[i].r1, objs[i].c1, out);
}

// The grid without its outermost ring of cells.
bool op_trim(const Img& x, int, const Img&, Img& out) {
    if (x.h < 3 || x.w < 3) return false;
    return crop(x, 1, 1, x.h - 2, x.w - 2, out);
}

// Non-zero cells painted with the task input's most (0) or least (1) frequent non-zero
// colour (a colour that changes from pair to pair, which no fixed parameter can name).
bool op_paint_input(const Img& x, int mode, const Img& input, Img& out) {
    auto n = histogram(input);
    int best = unique_best(kColours - 1, [&](int i) { return mode == 0 ? n[i + 1] : (n[i + 1] ? -n[i + 1] : -10000); });
    if (best < 0 || n[best + 1] == 0) return false;
    out = x;
    for (auto& v : out.px)
        if (v) v = static_cast<uint8_t>(best + 1);
    return true;
}

// The largest solid rectangle of one non-zero colour (at least 2x2), cropped with its
// border (mode 0) or without it (mode 1: its inside), or alone in place on an empty grid
// (mode 2: a rectangle freed from the noise around it).
bool op_largest_rect(const Img& x, int mode, const Img&, Img& out) {
    int best = 0, ties = 0, br0 = 0, bc0 = 0, br1 = 0, bc1 = 0;
    std::vector<int> run(x.w);
    for (int colour = 1; colour < kColours; ++colour) {
        std::fill(run.begin(), run.end(), 0);
        for (int r = 0; r < x.h; ++r) {
            for (int c = 0; c < x.w; ++c) run[c] = x.at(r, c) == colour ? run[c] + 1 : 0;
            for (int c0 = 0; c0 < x.w; ++c0) {  // rectangles ending on row r, columns c0..c1
                int height = kMaxSide + 1;
                for (int c1 = c0; c1 < x.w && run[c1]; ++c1) {
                    height = std::min(height, run[c1]);
                    int width = c1 - c0 + 1, area = height * width;
                    if (height < 2 || width < 2) continue;
                    if (area > best) { best = area; ties = 0; br0 = r - height + 1; bc0 = c0; br1 = r; bc1 = c1; }
                    else if (area == best) ties++;
                }
            }
        }
    }
    if (!best || ties) return false;
    if (mode == 1) return br1 - br0 >= 2 && bc1 - bc0 >= 2 && crop(x, br0 + 1, bc0 + 1, br1 - 1, bc1 - 1, out);
    if (mode == 2) {
        out = Img(x.h, x.w);
        for (int r = br0; r <= br1; ++r)
            for (int c = bc0; c <= bc1; ++c) out.at(r, c) = x.at(r, c);
        return true;
    }
    return crop(x, br0, bc0, br1, bc1, out);
}

// Counts as a row: mode 0 (1), a 1 x n row of the most frequent non-zero colour, n the
// number of 4-connected one-colour (8-connected any-colour) objects; mode 2, the non-zero
// colours once each, most frequent first (ties by colour value).
bool op_count_row(const Img& x, int mode, const Img&, Img& out) {
    auto n = histogram(x);
    if (mode == 2) {
        std::vector<int> cols = by_frequency(n);
        if (cols.empty()) return false;
        out = Img(1, static_cast<int>(cols.size()));
        for (size_t i = 0; i < cols.size(); ++i) out.px[i] = static_cast<uint8_t>(cols[i]);
        return true;
    }
    int colour = most_frequent_colour(n);
    if (!colour) return false;
    int count = static_cast<int>(objects_of(x, mode).size());
    if (count < 1 || count > kMaxSide) return false;
    out = Img(1, count, static_cast<uint8_t>(colour));
    return true;
}

// Each object (param / 6: 0 4-connected one colour, 1 8-connected any colours) changed in
// its own bounding box, where nothing else lies (param % 6): 0 mirrored left-right, 1 up-down,
// 2 turned half way, 3 its box filled with its colour, 4 hollowed to its outline, 5 its
// holes filled with its colour. Objects whose boxes hold other cells are left alone.
bool op_map_objects(const Img& x, int param, const Img&, Img& out) {
    int mode = param / 6, how = param % 6;
    const auto& objs = objects_of(x, mode);
    if (objs.empty()) return false;
    out = x;
    std::vector<int> owner(x.px.size(), -1);
    for (size_t i = 0; i < objs.size(); ++i)
        for (int k : objs[i].index) owner[k] = static_cast<int>(i);
    for (size_t i = 0; i < objs.size(); ++i) {
        const Object& o = objs[i];
        bool alone = true;
        for (int r = o.r0; r <= o.r1 && alone; ++r)
            for (int c = o.c0; c <= o.c1; ++c)
                if (owner[r * x.w + c] >= 0 && owner[r * x.w + c] != static_cast<int>(i)) { alone = false; break; }
        if (!alone) continue;
        Img box;
        crop(x, o.r0, o.c0, o.r1, o.c1, box);
        Img done = box;
        if (how <= 2) {
            dihedral_into(box, how == 0 ? 4 : how == 1 ? 5 : 2, done);
        } else if (how == 3) {
            for (auto& v : done.px) if (!v) v = static_cast<uint8_t>(o.colour);
        } else if (how == 4) {
            for (int r = 1; r + 1 < box.h; ++r)
                for (int c = 1; c + 1 < box.w; ++c)
                    if (box.at(r - 1, c) && box.at(r + 1, c) && box.at(r, c - 1) && box.at(r, c + 1)) done.at(r, c) = 0;
        } else {
            Img mask = hole_mask(o, x.w);
            for (int k = 0; k < box.size(); ++k)
                if (!mask.px[k]) done.px[k] = static_cast<uint8_t>(o.colour);
        }
        for (int r = 0; r < box.h; ++r)
            for (int c = 0; c < box.w; ++c) out.at(o.r0 + r, o.c0 + c) = done.at(r, c);
    }
    return true;
}

// Each 4-connected one-colour object cut to one half of its bounding box (side: 0 top,
// 1 bottom, 2 left, 3 right), every other cell cleared; a box of odd height (width) gives
// its middle row (column) to neither half. Does not apply when no cell is kept.
bool op_object_halves(const Img& x, int side, const Img&, Img& out) {
    out = Img(x.h, x.w);
    bool kept = false;
    for (const Object& o : objects_of(x, 0)) {
        int h = o.r1 - o.r0 + 1, w = o.c1 - o.c0 + 1;
        for (int k : o.index) {
            int r = k / x.w - o.r0, c = k % x.w - o.c0;
            bool in = side == 0 ? r < h / 2 : side == 1 ? r >= h - h / 2 : side == 2 ? c < w / 2 : c >= w - w / 2;
            if (in) { out.px[k] = x.px[k]; kept = true; }
        }
    }
    return kept;
}

// Each object completed to a symmetric shape in its own bounding box: an empty cell of the
// box takes the colour of its image, in the box, under (param % 4) 0 the left-right mirror,
// 1 the up-down mirror, 2 both mirrors, 3 the four quarter turns (a square box only; others
// are left alone); objects (param / 4) 0 4-connected of one colour, 1 8-connected of any
// colours. A cell another object holds is never painted. Applies only when a cell changes.
bool op_symmetrize_objects(const Img& x, int param, const Img&, Img& out) {
    int mode = param / 4, kind = param % 4;
    // the images of a box cell (r, c) tried, in order: kind 0 {left-right}, 1 {up-down},
    // 2 {left-right, up-down, half turn}, 3 {the three other quarter-turn positions}
    int first = kind == 1 ? 1 : 0, last = kind == 0 ? 1 : kind == 1 ? 2 : 3;
    out = x;
    bool changed = false;
    for (const Object& o : objects_of(x, mode)) {
        int h = o.r1 - o.r0 + 1, w = o.c1 - o.c0 + 1;
        if (kind == 3 && h != w) continue;
        Img shape(h, w);  // the object's own cells in its box
        for (int k : o.index) shape.at(k / x.w - o.r0, k % x.w - o.c0) = x.px[k];
        for (int r = 0; r < h; ++r)
            for (int c = 0; c < w; ++c) {
                uint8_t& cell = out.at(o.r0 + r, o.c0 + c);
                if (cell) continue;
                int images[3][2] = {{r, w - 1 - c}, {h - 1 - r, c}, {h - 1 - r, w - 1 - c}};
                if (kind == 3) {
                    int turns[3][2] = {{c, h - 1 - r}, {h - 1 - r, w - 1 - c}, {w - 1 - c, r}};
                    std::copy(&turns[0][0], &turns[0][0] + 6, &images[0][0]);
                }
                for (int i = first; i < last; ++i) {
                    uint8_t v = shape.at(images[i][0], images[i][1]);
                    if (v) { cell = v; changed = true; break; }
                }
            }
    }
    return changed;
}

// Every object slid whole towards one side until its bounding box meets the border (each on
// its own: objects do not stop at each other; later ones, in reading order of their first
// cell, are drawn over earlier ones): param = side * 2 + mode, side 0 up, 1 down, 2 left,
// 3 right; mode 0 4-connected one-colour objects, 1 8-connected objects of any colours.
// Applies only when some object moves.
bool op_to_edge(const Img& x, int param, const Img&, Img& out) {
    int side = param / 2, mode = param % 2;
    const std::vector<Object>& objs = objects_of(x, mode);
    out = Img(x.h, x.w);
    bool moved = false;
    for (const Object& o : objs) {
        int dr = side == 0 ? -o.r0 : side == 1 ? x.h - 1 - o.r1 : 0;
        int dc = side == 2 ? -o.c0 : side == 3 ? x.w - 1 - o.c1 : 0;
        moved |= dr != 0 || dc != 0;
        for (int k : o.index) out.at(k / x.w + dr, k % x.w + dc) = x.px[k];
    }
    return moved;
}

// The grid's centre line kept, every other cell cleared: 0 its centre column, 1 its centre
// row, 2 both. A side of even length has no centre line (does not apply).
bool op_keep_centre(const Img& x, int mode, const Img&, Img& out) {
    bool col = mode != 1, row = mode != 0;
    if ((col && x.w % 2 == 0) || (row && x.h % 2 == 0)) return false;
    out = Img(x.h, x.w);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c)
            if ((col && c == x.w / 2) || (row && r == x.h / 2)) out.at(r, c) = x.at(r, c);
    return true;
}

// Empty cells next to a non-zero cell take colour param / 3: its 4 side neighbours
// (param % 3 == 0), its 4 corner neighbours (1), all 8 (2).
bool op_halo(const Img& x, int param, const Img&, Img& out) {
    int colour = param / 3, mode = param % 3;
    Derived& d = derived(x);
    if (!d.have_near) {
        for (auto& v : d.near) v.clear();
        for (int r = 0; r < x.h; ++r)
            for (int c = 0; c < x.w; ++c) {
                if (x.at(r, c)) continue;
                bool side = false, corner = false;
                for (int dr = -1; dr <= 1; ++dr)
                    for (int dc = -1; dc <= 1; ++dc) {
                        int rr = r + dr, cc = c + dc;
                        if ((!dr && !dc) || rr < 0 || cc < 0 || rr >= x.h || cc >= x.w || !x.at(rr, cc)) continue;
                        (!dr || !dc ? side : corner) = true;
                    }
                int k = r * x.w + c;
                if (side) d.near[0].push_back(k);
                if (corner) d.near[1].push_back(k);
                if (side || corner) d.near[2].push_back(k);
            }
        d.have_near = true;
    }
    const auto& cells = d.near[mode];
    if (cells.empty()) return false;
    out = x;
    for (int k : cells) out.px[k] = static_cast<uint8_t>(colour);
    return true;
}

// The grid in the top-left corner of an empty canvas k times its size (k = 2, 3).
bool op_pad(const Img& x, int k, const Img&, Img& out) {
    if (!legal_size(x.h * k, x.w * k)) return false;
    out = Img(x.h * k, x.w * k);
    for (int r = 0; r < x.h; ++r)
        for (int c = 0; c < x.w; ++c) out.at(r, c) = x.at(r, c);
    return true;
}

// A single row (or column) of n cells laid on the diagonal of an n x n grid.
bool op_diagonal(const Img& x, int, const Img&, Img& out) {
    if (x.h != 1 && x.w != 1) return false;
    int n = x.size();
    if (n < 2) return false;
    out = Img(n, n);
    for (int i = 0; i < n; ++i) out.at(i, i) = x.px[i];
    return true;
}

// The colours' cell counts as columns, most frequent first (ties by colour value): column
// i holds colour i's count of cells from the top (mode 0) or from the bottom (mode 1).
bool op_histogram(const Img& x, int mode, const Img&, Img& out) {
    auto n = histogram(x);
    std::vector<int> cols = by_frequency(n);
    if (cols.empty()) return false;
    int h = n[cols[0]], w = static_cast<int>(cols.size());
    if (!legal_size(h, w)) return false;
    out = Img(h, w);
    for (int i = 0; i < w; ++i)
        for (int k = 0; k < n[cols[i]]; ++k) out.at(mode == 0 ? k : h - 1 - k, i) = static_cast<uint8_t>(cols[i]);
    return true;
}

// ---- filters of several objects, fills by nearness, counts (lists of objects in one step) --

constexpr int kGroupScores = 7;

// The score of an object that keep_objects / drop_objects rank by (higher is kept):
// 0 most cells, 1 fewest, 2 largest box, 3 smallest box, 4 most colours, 5 most holes,
// 6 fewest holes.
int group_score(const Object& o, int score, int w) {
    int area = (o.r1 - o.r0 + 1) * (o.c1 - o.c0 + 1);
    switch (score) {
        case 0: return o.cells;
        case 1: return -o.cells;
        case 2: return area;
        case 3: return -area;
        case 4: return o.colours;
        case 5: return holes(o, w);
        default: return -holes(o, w);
    }
}

// Every object tied at the best score kept in place (keep = true) or removed (false);
// param = mode * kGroupScores + score (mode as in objects()). Applies only when the best
// objects are some but not all of them (else the grid would not change, or vanish).
bool objects_by_score(const Img& x, int param, bool keep, Img& out) {
    const auto& objs = objects_of(x, param / kGroupScores);
    if (objs.size() < 2) return false;
    std::vector<int> score(objs.size());
    for (size_t i = 0; i < objs.size(); ++i) score[i] = group_score(objs[i], param % kGroupScores, x.w);
    int best = *std::max_element(score.begin(), score.end());
    int n_best = static_cast<int>(std::count(score.begin(), score.end(), best));
    if (n_best == static_cast<int>(objs.size())) return false;
    out = x;
    for (size_t i = 0; i < objs.size(); ++i)
        if ((score[i] == best) != keep)
            for (int k : objs[i].index) out.px[k] = 0;
    return true;
}

bool op_keep_objects(const Img& x, int p, const Img&, Img& out) { return objects_by_score(x, p, true, out); }
bool op_drop_objects(const Img& x, int p, const Img&, Img& out) { return objects_by_score(x, p, false, out); }

// Every empty cell takes the colour of its nearest non-zero cell (steps between side
// neighbours; a tie goes to the source met first in row-major order). Mode 1 leaves the
// most frequent non-zero colour out of the sources (it stays, but spreads nothing).
bool op_spread_colours(const Img& x, int mode, const Img&, Img& out) {
    int skip = -1;
    if (mode == 1) {
        skip = most_frequent_colour(histogram(x));
        if (!skip) return false;
    }
    out = x;
    std::vector<int> queue;
    std::vector<uint8_t> done(x.px.size(), 0);
    for (int i = 0; i < x.size(); ++i)
        if (x.px[i]) {
            done[i] = 1;
            if (x.px[i] != skip) queue.push_back(i);
        }
    if (queue.empty() || nonzero(x) == x.size()) return false;
    const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    for (size_t head = 0; head < queue.size(); ++head) {
        int i = queue[head], r = i / x.w, c = i % x.w;
        for (int d = 0; d < 4; ++d) {
            int rr = r + dr[d], cc = c + dc[d];
            if (rr < 0 || cc < 0 || rr >= x.h || cc >= x.w) continue;
            int j = rr * x.w + cc;
            if (done[j]) continue;
            done[j] = 1;
            out.px[j] = out.px[i];
            queue.push_back(j);
        }
    }
    return true;
}

// Rays from every non-zero cell through empty cells, stopping before the first non-zero
// cell of the grid (or the border): 0 right, 1 left, 2 down, 3 up, 4 right and left,
// 5 down and up, 6 all four. A cell two rays reach takes the one drawn first (right,
// left, down, up; sources in row-major order).
bool op_rays_to_contact(const Img& x, int mode, const Img&, Img& out) {
    static const int dirs[7] = {1, 2, 4, 8, 3, 12, 15};  // bits: right, left, down, up
    const int dr[4] = {0, 0, 1, -1}, dc[4] = {1, -1, 0, 0};
    out = x;
    bool any = false;
    for (int d = 0; d < 4; ++d) {
        if (!(dirs[mode] >> d & 1)) continue;
        for (int r = 0; r < x.h; ++r)
            for (int c = 0; c < x.w; ++c) {
                uint8_t v = x.at(r, c);
                if (!v) continue;
                for (int rr = r + dr[d], cc = c + dc[d]; rr >= 0 && cc >= 0 && rr < x.h && cc < x.w && !x.at(rr, cc);
                     rr += dr[d], cc += dc[d])
                    if (!out.at(rr, cc)) { out.at(rr, cc) = v; any = true; }
            }
    }
    return any;
}

// A count drawn as a block of the most frequent non-zero colour: param = what * 3 + shape;
// what 0 the non-zero cells, 1 the colours, 2 the objects (8-connected, any colours);
// shape 0 n x n, 1 n x 1, 2 1 x n.
bool op_count_block(const Img& x, int param, const Img&, Img& out) {
    int what = param / 3, shape = param % 3;
    int colour = most_frequent_colour(histogram(x));
    if (!colour) return false;
    int count = what == 0 ? nonzero(x) : what == 1 ? colour_count(x) : static_cast<int>(objects_of(x, 1).size());
    int h = shape == 2 ? 1 : count, w = shape == 1 ? 1 : count;
    if (!legal_size(h, w)) return false;
    out = Img(h, w, static_cast<uint8_t>(colour));
    return true;
}

std::vector<int> range(int lo, int hi) {
    std::vector<int> v;
    for (int i = lo; i < hi; ++i) v.push_back(i);
    return v;
}

std::vector<int> object_params() {  // modes 0 (4-conn one colour) and 1 (8-conn any), 15 selectors
    return range(0, 2 * kSelectors);
}

// The families whose result always has the state's shape (a property test checks it on
// random grids, so a wrong entry fails there rather than hiding fits).
const char* const kKeepsShape[] = {
    "keep_colour", "remove_colour", "remove_object", "symmetrize", "gravity", "fill_enclosed",
    "outline", "invert", "paint", "hull", "frame", "draw_lines", "connect", "remove_small",
    "keep_frequent", "shift", "halo", "map_objects", "paint_input", "overlay_input", "mask_input",
    "keep_objects", "drop_objects", "spread_colours", "rays_to_contact", "part_keep",
    "object_halves", "keep_centre", "to_edge", "symmetrize_objects",
};

std::vector<Family> with_shape_flags(std::vector<Family> table) {
    for (auto& f : table)
        for (const char* name : kKeepsShape) f.keeps_shape |= std::string(name) == f.name;
    return table;
}

}  // namespace

const std::vector<Family>& families() {
    static const std::vector<Family> table = with_shape_flags({
        {"dihedral", "k", range(1, 8), op_dihedral},
        {"crop_content", "", {0}, op_crop_content},
        {"keep_colour", "colour", range(1, 10), op_keep_colour},
        {"remove_colour", "colour", range(1, 10), op_remove_colour},
        {"crop_colour", "colour", range(1, 10), op_crop_colour},
        {"crop_object", "select", object_params(), op_crop_object},
        {"crop_object_box", "select", object_params(), op_crop_object_box},
        {"remove_object", "select", object_params(), op_remove_object},
        {"part_overlay", "mode", range(0, 16), op_part_overlay},
        {"part_pick", "select", range(0, 5), op_part_pick},
        {"part_keep", "mode", range(0, 5), op_part_keep},
        {"half", "side", range(0, 4), op_half},
        {"compress", "", {0}, op_compress},
        {"dedupe", "axis", range(0, 2), op_dedupe},
        {"scale_up", "k", range(2, 5), op_scale_up},
        {"scale_down", "k", range(2, 4), op_scale_down},
        {"tile", "mode", range(0, 6), op_tile},
        {"mirror_tile", "mode", range(0, 5), op_mirror_tile},
        {"self_tile", "mode", range(0, 3), op_self_tile},
        {"symmetrize", "mode", range(0, 6), op_symmetrize},
        {"gravity", "direction", range(0, 4), op_gravity},
        {"fill_enclosed", "colour", range(1, 10), op_fill_enclosed},
        {"outline", "", {0}, op_outline},
        {"invert", "", {0}, op_invert},
        {"paint", "colour", range(1, 10), op_paint},
        {"hull", "", {0}, op_hull},
        {"frame", "colour", range(1, 10), op_frame},
        {"colour_cell", "mode", range(0, 2), op_colour_cell},
        {"draw_lines", "mode", range(0, 12), op_draw_lines},
        {"connect", "mode", range(0, 3), op_connect},
        {"remove_small", "k", range(1, 3), op_remove_small},
        {"keep_frequent", "mode", range(0, 2), op_keep_frequent},
        {"shift", "direction", range(0, 4), op_shift},
        {"scale_down_any", "k", range(2, 4), op_scale_down_any},
        {"crop_object_having", "colour", range(1, 10), op_crop_object_having},
        {"trim", "", {0}, op_trim},
        {"count_row", "mode", range(0, 3), op_count_row},
        {"histogram", "mode", range(0, 2), op_histogram},
        {"diagonal", "", {0}, op_diagonal},
        {"pad", "k", range(2, 4), op_pad},
        {"halo", "mode", range(3, 30), op_halo},
        {"map_objects", "mode", range(0, 12), op_map_objects},
        {"largest_rect", "mode", range(0, 3), op_largest_rect},
        {"keep_objects", "select", range(0, 2 * kGroupScores), op_keep_objects},
        {"drop_objects", "select", range(0, 2 * kGroupScores), op_drop_objects},
        {"spread_colours", "mode", range(0, 2), op_spread_colours},
        {"rays_to_contact", "mode", range(0, 7), op_rays_to_contact},
        {"count_block", "mode", range(0, 9), op_count_block},
        {"paint_input", "mode", range(0, 2), op_paint_input, true},
        {"overlay_input", "mode", range(0, 2), op_overlay_input, true},
        {"mask_input", "mode", range(0, 3), op_mask_input, true},
        {"object_halves", "side", range(0, 4), op_object_halves},
        {"keep_centre", "mode", range(0, 3), op_keep_centre},
        {"to_edge", "side", range(0, 8), op_to_edge},
        {"symmetrize_objects", "mode", range(0, 8), op_symmetrize_objects},
    });
    return table;
}

const std::vector<Op>& all_ops() {
    static const std::vector<Op> ops = [] {
        std::vector<Op> v;
        const auto& fams = families();
        for (int f = 0; f < static_cast<int>(fams.size()); ++f)
            for (int p : fams[f].values) v.push_back({f, p});
        return v;
    }();
    return ops;
}

bool apply_op(const Op& op, const Img& x, const Img& input, Img& out) {
    if (!families()[op.family].fn(x, op.param, input, out)) return false;
    return legal_size(out.h, out.w);
}

ShapeRule shape_rule(const Op& op) {
    static const int dihedral = family_index("dihedral");
    if (op.family == dihedral) return dihedral_swaps(op.param) ? ShapeRule::transposes : ShapeRule::keeps;
    return families()[op.family].keeps_shape ? ShapeRule::keeps : ShapeRule::any;
}

int family_index(const std::string& name) {
    const auto& fams = families();
    for (int f = 0; f < static_cast<int>(fams.size()); ++f)
        if (name == fams[f].name) return f;
    return -1;
}

}  // namespace arc
