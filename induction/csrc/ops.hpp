// The compiled primitives: whole-grid functions the enumeration composes.
//
// A primitive is a family (e.g. "keep_colour") and one integer parameter (the colour).
// It writes its result into `out` and returns true, or returns false when it does not
// apply to the grid (the state is dropped). `input` is the task's input grid that the
// chain started from (used only by the families that combine a state with it).
#pragma once

#include <string>
#include <vector>

#include "grid.hpp"

namespace arc {

using OpFn = bool (*)(const Img& x, int param, const Img& input, Img& out);

struct Family {
    const char* name;
    const char* param;        // keyword name of the parameter in the Python wrapper ("" if none)
    std::vector<int> values;  // the parameters the enumeration tries
    OpFn fn;
    bool uses_input = false;  // reads the task's input grid besides the state's
    bool keeps_shape = false; // its result always has the state's height and width
};

// What a primitive call's result shape is, known before the call: the state's (keeps), the
// state's transposed (transposes), or only known by calling it (any).
enum class ShapeRule { any, keeps, transposes };

struct Op {
    int family;
    int param;
};

// Every family, in the enumeration's order.
const std::vector<Family>& families();

// Every (family, parameter) the enumeration tries, in order.
const std::vector<Op>& all_ops();

// One primitive call; false when it does not apply or the result is not a legal grid.
bool apply_op(const Op& op, const Img& x, const Img& input, Img& out);

// The shape rule of one (family, parameter).
ShapeRule shape_rule(const Op& op);

// The family index of a name, or -1.
int family_index(const std::string& name);

}  // namespace arc
