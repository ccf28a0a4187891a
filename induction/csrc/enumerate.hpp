// Exhaustive enumeration of compositions of the compiled primitives, with hash
// deduplication of states (observational equivalence over every train and test input).
//
// Level d holds the distinct states of d primitive calls. Each level is first checked
// (every parent x primitive, stopping at the first train grid that cannot match: cheap; the
// train pairs are taken smallest input first, and a call ruled out on the first pair is
// skipped for every state with the same grid there),
// and stored for the next level only when nothing fits and time and memory allow (anytime
// deepening; when every fit of a level gives the same test outputs, one level more is
// stored and checked for a different second answer). A chain fits when it reproduces every
// train output exactly, or does so after one colour map read off the pairs.
//
// A short chain whose grids have the inputs' shapes also fits through a cell table: each
// output cell read off (the chain's cell, the input's cell) by a table consistent on every
// train pair that knows every test input's pairs. These fits come after the others and do
// not end the deepening.
//
// When no chain fits (exactly or by a colour map), an assembly step lays several stored
// states over each other, first on top: each paints its non-zero cells (ink), its zero
// cells (blank) or every cell (all), and must be right on every train cell it paints where
// no layer above paints; cells no layer paints are 0. Greedy runs over shallow states first,
// then deeper ones, counting the cells gained on every pair and on one pair at a time, give
// several assemblies; each that reproduces every train output is a fit.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "grid.hpp"
#include "ops.hpp"

namespace arc {

struct TaskData {
    std::vector<Img> train_in, train_out, test_in;
};

struct EnumConfig {
    int max_depth = 3;            // longest chain of compiled primitives
    int max_fits = 32;            // stop collecting fits after this many
    double seconds = 5.0;         // time limit
    bool cpu_clock = false;       // seconds of this process's CPU time, else wall time
    int64_t max_state_bytes = 512LL << 20;  // memory for stored states (deeper levels stop storing)
    int near_misses = 4;          // shape-right states with fewest wrong train cells returned
    int assemble_pool = 100000;   // stored states tried as layers of an assembly (in order)
    int assemble_layers = 4;      // most layers in one assembly
    bool second_answer = false;   // when every fit gives the same test outputs, check one level more
    int cell_tables = 8;          // most fits through a cell table with the input (0: none sought)
};

using Chain = std::vector<Op>;

// How a layer of an assembly paints: its non-zero cells (ink), its zero cells (blank: it
// clears them), or every cell (all).
enum class LayerMode : int { ink = 0, blank = 1, all = 2 };

struct Fit {
    std::vector<Chain> layers;    // one chain, or the layers of an assembly (first on top)
    std::vector<LayerMode> modes; // an assembly's: how each layer paints (empty for a chain)
    std::array<int, kColours> colour_map;  // -1 everywhere when none is applied
    std::vector<int> cell_table;  // 100 entries, (chain's colour * 10 + input's) -> output colour
                                  // or -1; empty when the chain's grid is the answer
    std::vector<Img> test_out;
    int depth = 0;                // primitive calls (+1 for a colour map, +1 for an assembly)
    int missed = 0;               // wrong train cells (0 for fits)
};

struct EnumStats {
    int64_t candidates = 0;       // (state, primitive) pairs evaluated
    int64_t states = 0;           // distinct states stored
    int64_t dropped = 0;          // primitive did not apply (or gave an illegal grid)
    int64_t duplicates = 0;       // a stored level's child equal to a known state
    int64_t pruned = 0;           // checks skipped: the result's shape, known beforehand, is wrong
    int64_t shared = 0;           // checks skipped: ruled out on the first train pair for a parent
                                  // with the same grid there
    int64_t bugs = 0;             // a primitive threw: a defect, never expected
    int64_t state_bytes = 0;      // memory held by stored states at the end
    int depth_reached = 0;        // deepest level checked (fully or in part)
    int depth_complete = 0;       // deepest level checked completely
    bool timed_out = false;
    bool memory_capped = false;
    std::vector<int64_t> level_states;  // stored states per level (0: the inputs)
};

struct EnumResult {
    std::vector<Fit> fits;        // by depth, then enumeration order
    std::vector<Fit> near_misses; // fewest wrong train cells first
    EnumStats stats;
};

EnumResult enumerate_programs(const TaskData& task, const EnumConfig& config);

}  // namespace arc
