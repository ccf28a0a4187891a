// The narrow binding of the compiled core: numpy uint8 grids in and out, plain values for
// the rest. `induction.dsl.compiled` and `induction.enumeration` own the Python API.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <stdexcept>

#include "enumerate.hpp"
#include "ops.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using GridIn = nb::ndarray<const uint8_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

arc::Img to_img(const GridIn& a) {
    int h = static_cast<int>(a.shape(0)), w = static_cast<int>(a.shape(1));
    if (!arc::legal_size(h, w)) throw std::invalid_argument("grid size outside 1..30");
    arc::Img g(h, w);
    std::copy(a.data(), a.data() + static_cast<size_t>(h) * w, g.px.begin());
    for (uint8_t v : g.px)
        if (v >= arc::kColours) throw std::invalid_argument("grid colour outside 0..9");
    return g;
}

nb::object to_numpy(const arc::Img& g) {
    auto* data = new uint8_t[g.px.size()];
    std::copy(g.px.begin(), g.px.end(), data);
    nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<uint8_t*>(p); });
    size_t shape[2] = {static_cast<size_t>(g.h), static_cast<size_t>(g.w)};
    return nb::cast(nb::ndarray<nb::numpy, uint8_t, nb::ndim<2>>(data, 2, shape, owner));
}

std::vector<arc::Img> to_imgs(const std::vector<GridIn>& grids) {
    std::vector<arc::Img> out;
    for (const auto& g : grids) out.push_back(to_img(g));
    return out;
}

nb::list chain_list(const arc::Chain& chain) {
    nb::list out;
    for (const auto& op : chain) out.append(nb::make_tuple(op.family, op.param));
    return out;
}

// A lookup table as a list, or None when it has no entry (every value -1).
template <class Table>
nb::object table_or_none(const Table& t) {
    if (std::none_of(t.begin(), t.end(), [](int v) { return v >= 0; })) return nb::none();
    nb::list out;
    for (int v : t) out.append(v);
    return out;
}

nb::dict fit_dict(const arc::Fit& f) {
    nb::list layers, tests;
    for (const auto& c : f.layers) layers.append(chain_list(c));
    for (const auto& g : f.test_out) tests.append(to_numpy(g));
    nb::dict d;
    nb::list modes;
    static const char* const kModeNames[] = {"ink", "blank", "all"};
    for (auto m : f.modes) modes.append(kModeNames[static_cast<int>(m)]);
    d["layers"] = layers;
    d["modes"] = modes;
    d["colour_map"] = table_or_none(f.colour_map);
    d["cell_table"] = table_or_none(f.cell_table);
    d["test_outputs"] = tests;
    d["depth"] = f.depth;
    d["missed"] = f.missed;
    return d;
}

nb::object apply(int family, int param, const GridIn& grid, const GridIn& input) {
    const auto& fams = arc::families();
    if (family < 0 || family >= static_cast<int>(fams.size())) throw std::invalid_argument("no such family");
    const auto& values = fams[family].values;
    if (std::find(values.begin(), values.end(), param) == values.end())
        throw std::invalid_argument(std::string(fams[family].name) + ": parameter out of range");
    arc::Img out, x = to_img(grid), in = to_img(input);
    if (!arc::apply_op({family, param}, x, in, out)) return nb::none();
    return to_numpy(out);
}

nb::dict run(const std::vector<GridIn>& train_in, const std::vector<GridIn>& train_out,
             const std::vector<GridIn>& test_in, int max_depth, int max_fits, double seconds,
             bool cpu_clock, int64_t max_state_bytes, int near_misses, int assemble_pool,
             int assemble_layers, bool second_answer, int cell_tables) {
    if (train_in.size() != train_out.size() || train_in.empty())
        throw std::invalid_argument("train inputs and outputs must be non-empty and pair up");
    arc::TaskData task{to_imgs(train_in), to_imgs(train_out), to_imgs(test_in)};
    arc::EnumConfig cfg{max_depth, max_fits, seconds, cpu_clock, max_state_bytes,
                        near_misses, assemble_pool, assemble_layers, second_answer, cell_tables};
    arc::EnumResult res;
    {
        nb::gil_scoped_release release;
        res = arc::enumerate_programs(task, cfg);
    }
    nb::list fits, near;
    for (const auto& f : res.fits) fits.append(fit_dict(f));
    for (const auto& f : res.near_misses) near.append(fit_dict(f));
    const auto& s = res.stats;
    nb::dict stats;
    stats["candidates"] = s.candidates;
    stats["states"] = s.states;
    stats["dropped"] = s.dropped;
    stats["duplicates"] = s.duplicates;
    stats["pruned"] = s.pruned;
    stats["shared"] = s.shared;
    stats["bugs"] = s.bugs;
    stats["state_bytes"] = s.state_bytes;
    stats["depth_reached"] = s.depth_reached;
    stats["depth_complete"] = s.depth_complete;
    stats["timed_out"] = s.timed_out;
    stats["memory_capped"] = s.memory_capped;
    stats["level_states"] = s.level_states;
    nb::dict out;
    out["fits"] = fits;
    out["near_misses"] = near;
    out["stats"] = stats;
    return out;
}

std::vector<std::tuple<std::string, std::string, std::vector<int>, bool, bool>> family_table() {
    std::vector<std::tuple<std::string, std::string, std::vector<int>, bool, bool>> out;
    for (const auto& f : arc::families()) out.emplace_back(f.name, f.param, f.values, f.uses_input, f.keeps_shape);
    return out;
}

}  // namespace

NB_MODULE(_core, m) {
    m.doc() = "The compiled enumeration core of the DSL search (see induction/csrc).";
    m.def("families", &family_table, "(name, parameter name, parameter values, uses the input, keeps the shape) of every compiled family.");
    m.def("apply", &apply, "family"_a, "param"_a, "grid"_a, "input"_a,
          "One compiled primitive on a grid; None when it does not apply.");
    m.def("enumerate", &run, "train_in"_a, "train_out"_a, "test_in"_a, "max_depth"_a, "max_fits"_a,
          "seconds"_a, "cpu_clock"_a, "max_state_bytes"_a, "near_misses"_a, "assemble_pool"_a,
          "assemble_layers"_a, "second_answer"_a, "cell_tables"_a,
          "Enumerate compositions of the compiled primitives (see enumerate.hpp).");
}
