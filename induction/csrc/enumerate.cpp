// The enumeration (see enumerate.hpp).
#include "enumerate.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace arc {
namespace {

// Share of the time limit for the enumeration; the rest is kept for the assembly, which
// runs only when no chain fits (so a deepening that uses all its time still assembles).
constexpr double kEnumShare = 0.85;

// Deepest chain tried through a cell table: a table holds up to 100 entries, so deeper
// chains fit by chance more often, and tracking it slows the checks of the largest level
// (on training-clean at 3 CPU-s, tables at every depth cost 13 tasks their level 3).
constexpr int kTableDepth = 2;

// Memory for the bits of calls ruled out on the first train pair, shared by the states
// with the same grid there (about a million groups of 370 calls).
constexpr size_t kSharedBytes = 64u << 20;

struct State {
    int parent;             // index of the parent state (-1 for the inputs)
    Op op;                  // the call that made it from its parent
    int depth;
    std::vector<Img> grids; // train inputs' images, then test inputs'
    int missed;             // wrong train cells, -1 when some train shape is wrong
};

double now(bool cpu) {
    if (cpu) {
        timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec * 1e-9;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t bytes_of(const State& s) {
    int64_t n = sizeof(State);
    for (const auto& g : s.grids) n += sizeof(Img) + static_cast<int64_t>(g.px.capacity());
    return n;
}

class Enumerator {
  public:
    Enumerator(const TaskData& task, const EnumConfig& config)
        : task_(task), cfg_(config), n_train_(static_cast<int>(task.train_in.size())),
          cpu_(config.cpu_clock), deadline_(now(config.cpu_clock) + config.seconds * kEnumShare),
          assembly_deadline_(now(config.cpu_clock) + config.seconds),
          collect_layers_(config.assemble_pool > 0) {
        inputs_ = task.train_in;
        inputs_.insert(inputs_.end(), task.test_in.begin(), task.test_in.end());
    }

    EnumResult run() {
        State root{-1, {0, 0}, 0, inputs_, 0};
        root.missed = missed_cells(root.grids);
        seen_.insert(hash_grids(root.grids));
        add(std::move(root));
        size_t begin = 0, end = 1;
        res_.stats.level_states.push_back(1);
        for (int depth = 1; depth <= cfg_.max_depth && !stop(); ++depth) {
            std::vector<int> order = ordered(begin, end);
            res_.stats.depth_reached = depth;
            if (!check_level(order, depth)) break;  // out of time or fits enough
            res_.stats.depth_complete = depth;
            if (depth == cfg_.max_depth) break;
            if (!res_.fits.empty()) {
                if (new_answers_only_ || !cfg_.second_answer || !same_answer(res_.fits.back().test_out)) break;
                new_answers_only_ = true;  // one level past the first fits, for a second answer
            }
            layers_.clear();  // the level is stored whole: its layers are among its states
            size_t before = states_.size();
            store_level(order, depth);
            res_.stats.level_states.push_back(static_cast<int64_t>(states_.size() - before));
            begin = before;
            end = states_.size();
            if (begin == end) break;
        }
        n_stored_ = states_.size();
        if (res_.fits.empty()) assemble();
        for (auto& f : table_fits_) {  // after the others: a table of up to 100 entries fits more easily
            if (static_cast<int>(res_.fits.size()) >= cfg_.max_fits) break;
            res_.fits.push_back(std::move(f));
        }
        near_misses();
        res_.stats.states = static_cast<int64_t>(n_stored_);
        res_.stats.state_bytes = bytes_;
        return std::move(res_);
    }

  private:
    const TaskData& task_;
    EnumConfig cfg_;
    int n_train_;
    bool cpu_;
    double deadline_;           // for the enumeration
    double assembly_deadline_;  // for the assembly that follows it when nothing fits
    std::vector<Img> inputs_;
    std::vector<State> states_;
    std::unordered_set<uint64_t> seen_;
    int64_t bytes_ = 0;
    int64_t ticks_ = 0;
    EnumResult res_;
    bool new_answers_only_ = false;  // in the level past the fits: keep fits with new answers only
    const bool collect_layers_;      // note checked states an assembly may use
    struct LayerRef { int parent; Op op; int depth; };
    std::vector<LayerRef> layers_;   // noted by check on the level being checked, for the assembly
    size_t n_stored_ = 0;            // states stored by the levels (the layers follow them)
    std::vector<Fit> table_fits_;    // fits through a cell table with the input (see enumerate.hpp)
    // States with the same grid on the first train input get the same check there, and the
    // first pair rules out most calls: a call ruled out there for one state is ruled out for
    // the others without calling it (counted as shared; many states differ only on other
    // inputs, or a call left the first grid as it was)
    std::unordered_map<uint64_t, size_t> group_of_;  // hash of the first train grid -> group
    std::vector<int> group_state_;                  // the state that opened each group
    std::vector<uint64_t> ruled_out_;               // per group, a bit per call (see ruled_out)

    bool out_of_time() {
        if (res_.stats.timed_out) return true;
        if (now(cpu_) > deadline_) res_.stats.timed_out = true;
        return res_.stats.timed_out;
    }

    bool stop() { return out_of_time() || static_cast<int>(res_.fits.size()) >= cfg_.max_fits; }

    // Checks the clock every 32 calls (a clock read costs about as much as a small primitive).
    bool tick() { return (++ticks_ & 31) == 0 ? stop() : static_cast<int>(res_.fits.size()) >= cfg_.max_fits; }

    void add(State s) {
        bytes_ += bytes_of(s);
        states_.push_back(std::move(s));
    }

    uint64_t hash_grids(const std::vector<Img>& grids) const {
        uint64_t h = 0x51ed270b27e7c1a5ULL;
        for (const auto& g : grids) h = mix(h ^ hash_img(g, h));
        return h;
    }

    int missed_cells(const std::vector<Img>& grids) const {
        int missed = 0;
        for (int i = 0; i < n_train_; ++i) {
            const Img &g = grids[i], &y = task_.train_out[i];
            if (g.h != y.h || g.w != y.w) return -1;
            for (int k = 0; k < g.size(); ++k) missed += g.px[k] != y.px[k];
        }
        return missed;
    }

    // Parents best first: train shapes right, fewest wrong cells, then the order found.
    std::vector<int> ordered(size_t begin, size_t end) const {
        std::vector<int> order(end - begin);
        std::iota(order.begin(), order.end(), static_cast<int>(begin));
        std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
            int ma = states_[a].missed, mb = states_[b].missed;
            return (ma < 0 ? INT32_MAX : ma) < (mb < 0 ? INT32_MAX : mb);
        });
        return order;
    }

    // One primitive call, counting what does not apply and what throws.
    bool call(const Op& op, const Img& x, const Img& input, Img& out) {
        try {
            if (apply_op(op, x, input, out)) return true;
            res_.stats.dropped++;
        } catch (const std::exception&) {
            res_.stats.bugs++;
        }
        return false;
    }

    Chain chain_of(int state) const {
        Chain ops;
        for (int s = state; s > 0; s = states_[s].parent) ops.push_back(states_[s].op);
        std::reverse(ops.begin(), ops.end());
        return ops;
    }

    // Every parent x primitive, each tested against the train outputs grid by grid.
    // False when the level was cut short (time, or enough fits).
    // A call whose result shape is known beforehand and wrong for some train output is
    // skipped (counted as pruned): it cannot fit.
    bool check_level(const std::vector<int>& order, int depth) {
        const auto& ops = all_ops();
        static const std::vector<ShapeRule> rules = [] {
            std::vector<ShapeRule> r;
            for (const Op& op : all_ops()) r.push_back(shape_rule(op));
            return r;
        }();
        Img out;
        for (int p : order) {
            bool keeps_wrong = states_[p].missed < 0;  // some train shape is wrong already
            bool transposes_wrong = transposed_shape_wrong(states_[p]);
            uint64_t* shared = ruled_out(p, ops.size());
            for (size_t k = 0; k < ops.size(); ++k) {
                if (tick()) return false;
                res_.stats.candidates++;
                if ((rules[k] == ShapeRule::keeps && keeps_wrong) ||
                    (rules[k] == ShapeRule::transposes && transposes_wrong)) {
                    res_.stats.pruned++;
                    continue;
                }
                if (shared && (shared[k >> 6] >> (k & 63) & 1)) {
                    res_.stats.shared++;
                    continue;
                }
                if (!check(p, ops[k], depth, out) && shared) shared[k >> 6] |= uint64_t{1} << (k & 63);
            }
        }
        return true;
    }

    // The calls ruled out on the first train pair for states with this state's grid there
    // (one bit per call), shared by every level: a call reads the state's grid and the
    // input's, and what rules it out on the first pair only gets stricter with depth (cell
    // tables are tried to depth kTableDepth). Null when the tables are full (kSharedBytes)
    // or on a hash collision: the state is then checked on its own.
    uint64_t* ruled_out(int state, size_t n_ops) {
        const size_t words = (n_ops + 63) / 64;
        const Img& first = states_[state].grids[0];
        const uint64_t h = hash_img(first);
        auto it = group_of_.find(h);
        if (it != group_of_.end())
            return states_[group_state_[it->second]].grids[0].same(first) ? &ruled_out_[it->second * words] : nullptr;
        if ((ruled_out_.size() + words) * sizeof(uint64_t) > kSharedBytes) return nullptr;
        group_of_.emplace(h, group_state_.size());
        group_state_.push_back(state);
        ruled_out_.resize(ruled_out_.size() + words, 0);
        return &ruled_out_[ruled_out_.size() - words];
    }

    // Whether the state's grids, transposed, miss some train output's shape.
    bool transposed_shape_wrong(const State& s) const {
        for (int i = 0; i < n_train_; ++i)
            if (s.grids[i].w != task_.train_out[i].h || s.grids[i].h != task_.train_out[i].w) return true;
        return false;
    }

    // Checks one call on one parent; false when the first train pair rules it out (what
    // happens there depends only on the parent's first train grid).
    bool check(int parent, const Op& op, int depth, Img& out) {
        std::array<int, kColours> map;
        map.fill(-1);
        bool exact = true, mapped = true;
        // a state right on all its non-zero cells (ink) or on all its zero cells (blank) of
        // every train output is noted as a layer for the assembly, in case the level is the
        // last one checked (a level that is stored drops them: they are among its states);
        // only if on the first pair it paints a cell the input has wrong (else the check
        // would go on past the first pair for most states of tasks that add to the input)
        bool ink = collect_layers_, blank = collect_layers_;
        bool ink_new = false, blank_new = false;
        // (state's cell, input's cell) -> output cell, while consistent
        bool tabled = depth <= kTableDepth && static_cast<int>(table_fits_.size()) < cfg_.cell_tables;
        std::array<int8_t, kColours * kColours> table;
        table.fill(-1);
        for (int i = 0; i < n_train_; ++i) {
            const Img& y = task_.train_out[i];
            if (!call(op, states_[parent].grids[i], inputs_[i], out)) return i > 0;
            if (out.h != y.h || out.w != y.w) return i > 0;
            const Img& x = inputs_[i];
            bool same_shape = x.h == y.h && x.w == y.w;
            tabled &= same_shape;
            for (int k = 0; k < y.size() && (exact || mapped || ink || blank || tabled); ++k) {
                int a = out.px[k], b = y.px[k];
                if (exact || mapped) {
                    exact &= a == b;
                    if (map[a] < 0) map[a] = b;
                    else mapped &= map[a] == b;
                }
                if (tabled) {
                    int8_t& t = table[a * kColours + x.px[k]];
                    if (t < 0) t = static_cast<int8_t>(b);
                    else tabled &= t == b;
                }
                if (a != b) (a ? ink : blank) = false;
                else if (a) ink_new |= !same_shape || x.px[k] != b;
                else blank_new |= !same_shape || x.px[k] != 0;
            }
            if (i == 0) {
                ink &= ink_new;
                blank &= blank_new;
            }
            if (!exact && !mapped && !ink && !blank && !tabled) return i > 0;
        }
        if (!exact && !mapped) {
            if ((ink || blank) && static_cast<int>(layers_.size()) < cfg_.assemble_pool)
                layers_.push_back({parent, op, depth});
            if (tabled) table_fit(parent, op, depth, table, out);
            return true;
        }
        Fit fit;
        fit.layers.push_back(chain_of(parent));
        fit.layers[0].push_back(op);
        fit.depth = depth;
        fit.colour_map.fill(-1);
        if (!exact) {
            fit.colour_map = map;
            fit.depth++;
        }
        for (size_t j = n_train_; j < inputs_.size(); ++j) {
            if (!call(op, states_[parent].grids[j], inputs_[j], out)) return true;
            if (!exact) {
                for (auto& v : out.px) {
                    if (map[v] < 0) return true;  // a colour the map never saw: no answer
                    v = static_cast<uint8_t>(map[v]);
                }
            }
            fit.test_out.push_back(out);
        }
        if (new_answers_only_ && known_answer(res_.fits, fit.test_out)) return true;  // the level past the fits wants others
        res_.fits.push_back(std::move(fit));
        return true;
    }

    // A fit through the cell table read off the train pairs, if the table knows every test
    // input's (state's cell, input's cell) and the test answers are new.
    void table_fit(int parent, const Op& op, int depth, const std::array<int8_t, kColours * kColours>& table,
                   Img& out) {
        Fit fit;
        fit.depth = depth + 1;
        fit.colour_map.fill(-1);
        for (size_t j = n_train_; j < inputs_.size(); ++j) {
            const Img& x = inputs_[j];
            if (!call(op, states_[parent].grids[j], x, out) || out.h != x.h || out.w != x.w) return;
            for (int k = 0; k < out.size(); ++k) {
                int v = table[out.px[k] * kColours + x.px[k]];
                if (v < 0) return;  // a pair the train outputs never showed: no answer
                out.px[k] = static_cast<uint8_t>(v);
            }
            fit.test_out.push_back(out);
        }
        if (known_answer(res_.fits, fit.test_out) || known_answer(table_fits_, fit.test_out)) return;
        fit.layers.push_back(chain_of(parent));
        fit.layers[0].push_back(op);
        fit.cell_table.assign(table.begin(), table.end());
        table_fits_.push_back(std::move(fit));
    }

    // The states noted as layers by the last level's check, computed on every input (in the
    // order found, while time and memory allow), each kept once and apart from stored states.
    void add_layer_states() {
        std::unordered_set<uint64_t> kept;
        for (size_t n = 0; n < layers_.size(); ++n) {
            if ((n & 63) == 0 && now(cpu_) > assembly_deadline_) break;
            if (bytes_ > cfg_.max_state_bytes) break;
            const LayerRef& ref = layers_[n];
            std::vector<Img> grids(inputs_.size());
            bool ok = true;
            for (size_t i = 0; i < inputs_.size() && ok; ++i)
                ok = call(ref.op, states_[ref.parent].grids[i], inputs_[i], grids[i]);
            if (!ok) continue;
            uint64_t h = hash_grids(grids);
            if (seen_.count(h) || !kept.insert(h).second) continue;
            State s{ref.parent, ref.op, ref.depth, std::move(grids), 0};
            s.missed = missed_cells(s.grids);
            add(std::move(s));
        }
        layers_.clear();
    }

    // Whether every fit gives these test outputs (then a deeper level may find others).
    bool same_answer(const std::vector<Img>& outs) const {
        for (const auto& f : res_.fits)
            if (!same_outputs(f.test_out, outs)) return false;
        return true;
    }

    // Whether one of these fits gives these test outputs.
    static bool known_answer(const std::vector<Fit>& fits, const std::vector<Img>& outs) {
        for (const auto& f : fits)
            if (same_outputs(f.test_out, outs)) return true;
        return false;
    }

    static bool same_outputs(const std::vector<Img>& a, const std::vector<Img>& b) {
        for (size_t j = 0; j < a.size(); ++j)
            if (!a[j].same(b[j])) return false;
        return true;
    }

    // The level's distinct children, kept for the next level while memory allows.
    void store_level(const std::vector<int>& order, int depth) {
        const auto& ops = all_ops();
        for (int p : order)
            for (const Op& op : ops) {
                if (tick()) return;
                if (bytes_ > cfg_.max_state_bytes) {
                    res_.stats.memory_capped = true;
                    return;
                }
                std::vector<Img> grids(inputs_.size());
                bool ok = true;
                for (size_t i = 0; i < inputs_.size() && ok; ++i)
                    ok = call(op, states_[p].grids[i], inputs_[i], grids[i]);
                if (!ok) continue;
                if (!seen_.insert(hash_grids(grids)).second) {
                    res_.stats.duplicates++;
                    continue;
                }
                int missed = missed_cells(grids);
                add(State{p, op, depth, std::move(grids), missed});
            }
    }

    // Layers of stored states laid over each other, first on top: each cell shows the first
    // layer that paints it (ink: where the layer is non-zero; blank: where it is zero, so the
    // cell is cleared; all: everywhere), 0 where none does. Built greedily: the next layer is
    // the state and mode that paints the most train cells not painted yet, right on every
    // train cell it paints there. Several greedy runs give different assemblies: shallow
    // states only first, then deeper ones; the gain counted on every train pair, then on one
    // pair at a time (a layer must still be right on all of them). Each run that reproduces
    // every train output is a fit; fewest layers first, then the shallowest.
    void assemble() {
        n_stored_ = states_.size();
        add_layer_states();  // the last level's, deepest
        std::vector<int> pool;
        for (int s = 0; s < static_cast<int>(states_.size()) && static_cast<int>(pool.size()) < cfg_.assemble_pool; ++s)
            if (states_[s].missed > 0) pool.push_back(s);  // states are stored level by level
        if (pool.empty()) return;
        std::vector<Fit> found;
        std::unordered_set<uint64_t> answers;
        // first the stored states, gain on every pair, no blank layer (a base, i.e. a layer
        // painting all, is then the last); then the runs with blank layers, the last level's
        // states included
        size_t stored = 0;
        while (stored < pool.size() && pool[stored] < static_cast<int>(n_stored_)) ++stored;
        if (!greedy_assembly(pool, stored, -1, false, found, answers)) goto done;
        for (int depth = states_[pool.front()].depth; depth <= states_[pool.back()].depth; ++depth) {
            size_t end = 0;
            while (end < pool.size() && states_[pool[end]].depth <= depth) ++end;
            for (int care = -1; care < (n_train_ > 1 ? n_train_ : 0); ++care)  // (one pair: once)
                if (!greedy_assembly(pool, end, care, true, found, answers)) goto done;
        }
    done:
        std::stable_sort(found.begin(), found.end(), [](const Fit& a, const Fit& b) {
            return a.layers.size() != b.layers.size() ? a.layers.size() < b.layers.size() : a.depth < b.depth;
        });
        for (auto& f : found) {
            if (static_cast<int>(res_.fits.size()) >= cfg_.max_fits) break;
            res_.fits.push_back(std::move(f));
        }
    }

    static bool paints(LayerMode mode, uint8_t v) {
        return mode == LayerMode::all || (mode == LayerMode::ink) == (v != 0);
    }

    // One greedy run over pool[0, end) (see assemble); false when out of time.
    bool greedy_assembly(const std::vector<int>& pool, size_t end, int care, bool blank_layers,
                         std::vector<Fit>& found, std::unordered_set<uint64_t>& answers) {
        std::vector<std::vector<uint8_t>> painted(n_train_);
        for (int i = 0; i < n_train_; ++i) painted[i].assign(task_.train_out[i].px.size(), 0);
        std::vector<int> layers;
        std::vector<LayerMode> modes;
        constexpr LayerMode kModes[3] = {LayerMode::ink, LayerMode::blank, LayerMode::all};
        bool done = false;  // every non-zero train cell painted (a layer painting all ends it)
        while (static_cast<int>(layers.size()) < cfg_.assemble_layers) {
            int best = -1, best_gain = 0;
            LayerMode best_mode = LayerMode::ink;
            for (size_t n = 0; n < end; ++n) {
                if ((n & 255) == 0 && now(cpu_) > assembly_deadline_) return false;
                const State& st = states_[pool[n]];
                bool valid[3] = {true, blank_layers, true};
                int gain[3] = {0, 0, 0};
                for (int i = 0; i < n_train_ && (valid[0] || valid[1] || valid[2]); ++i) {
                    const Img &g = st.grids[i], &y = task_.train_out[i];
                    bool counted = care < 0 || care == i;
                    for (int k = 0; k < g.size(); ++k) {
                        if (painted[i][k]) continue;
                        bool right = g.px[k] == y.px[k], ink = g.px[k] != 0;
                        valid[ink ? 0 : 1] &= right;
                        valid[2] &= right;
                        if (counted) { gain[ink ? 0 : 1]++; gain[2]++; }
                        if (!valid[0] && !valid[1]) break;  // (all is then invalid too)
                    }
                }
                for (int m = 0; m < 3; ++m)
                    if (valid[m] && gain[m] > best_gain) { best = pool[n]; best_gain = gain[m]; best_mode = kModes[m]; }
            }
            if (best < 0) return true;
            layers.push_back(best);
            modes.push_back(best_mode);
            done = true;
            for (int i = 0; i < n_train_; ++i) {
                const Img &g = states_[best].grids[i], &y = task_.train_out[i];
                for (int k = 0; k < g.size(); ++k) {
                    if (!painted[i][k] && paints(best_mode, g.px[k])) painted[i][k] = 1;
                    done &= painted[i][k] || y.px[k] == 0;
                }
            }
            if (done) break;
        }
        if (!done || layers.size() < 2) return true;
        Fit fit;
        fit.colour_map.fill(-1);
        fit.depth = 1;
        for (size_t l = 0; l < layers.size(); ++l) {
            fit.layers.push_back(chain_of(layers[l]));
            fit.depth += states_[layers[l]].depth;
        }
        fit.modes = modes;
        for (size_t j = n_train_; j < inputs_.size(); ++j) {
            const Img& first = states_[layers[0]].grids[j];
            Img out(first.h, first.w);
            std::vector<uint8_t> done_cell(out.px.size(), 0);
            for (size_t l = 0; l < layers.size(); ++l) {
                const Img& g = states_[layers[l]].grids[j];
                if (g.h != out.h || g.w != out.w) return true;  // the layers disagree on the test shape
                for (int k = 0; k < g.size(); ++k)
                    if (!done_cell[k] && paints(modes[l], g.px[k])) { out.px[k] = g.px[k]; done_cell[k] = 1; }
            }
            fit.test_out.push_back(std::move(out));
        }
        if (!answers.insert(hash_grids(fit.test_out)).second) return true;
        found.push_back(std::move(fit));
        return true;
    }

    void near_misses() {
        std::vector<int> pool;
        for (int s = 1; s < static_cast<int>(n_stored_); ++s)
            if (states_[s].missed > 0) pool.push_back(s);
        std::stable_sort(pool.begin(), pool.end(),
                         [this](int a, int b) { return states_[a].missed < states_[b].missed; });
        std::unordered_set<uint64_t> tests;
        for (int s : pool) {
            if (static_cast<int>(res_.near_misses.size()) >= cfg_.near_misses) break;
            std::vector<Img> outs(states_[s].grids.begin() + n_train_, states_[s].grids.end());
            if (!tests.insert(hash_grids(outs)).second) continue;
            Fit f;
            f.layers.push_back(chain_of(s));
            f.colour_map.fill(-1);
            f.test_out = std::move(outs);
            f.depth = states_[s].depth;
            f.missed = states_[s].missed;
            res_.near_misses.push_back(std::move(f));
        }
    }
};

}  // namespace

EnumResult enumerate_programs(const TaskData& task, const EnumConfig& config) {
    // The train pairs smallest input first: every call is made on the first pair, which
    // rules out most of them, so a small grid there makes most calls cheap, and more states
    // share their first grid (BENCHMARKS.md, thirteenth round). Chains, colour maps and cell
    // tables do not depend on the order of the pairs (an assembly's layers are noted on the
    // first pair, so those may).
    std::vector<size_t> order(task.train_in.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&task](size_t a, size_t b) { return task.train_in[a].size() < task.train_in[b].size(); });
    TaskData sorted;
    for (size_t i : order) {
        sorted.train_in.push_back(task.train_in[i]);
        sorted.train_out.push_back(task.train_out[i]);
    }
    sorted.test_in = task.test_in;
    return Enumerator(sorted, config).run();
}

}  // namespace arc
