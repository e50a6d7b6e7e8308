// playground/timeline_renderer.hpp - draws the timeline's bars on the GPU (shaders/timeline_bars.*).
//
// The timeline view collects bars while it lays out the frame, then submit() inserts a draw
// callback into ImGui's draw list: when ImGui renders, the bars are drawn at that point (under
// the text drawn after them) with one instanced draw call, and ImGui's GL state is restored.
#pragma once

#include <string>
#include <vector>

#include "gl.hpp"

struct ImDrawList;
struct ImDrawCmd;

namespace playground {

enum class BarStyle { solid = 0, running = 1, queued = 2 };

struct Bar {
    float x0, y0, x1, y1; // screen pixels
    float r, g, b, a;
    float style = 0; // a BarStyle, as the float the shader reads (see bar_style)
    float radius = 3;
};

inline float bar_style(BarStyle style) { return static_cast<float>(static_cast<int>(style)); }

class TimelineRenderer {
public:
    // Compiles the shaders; false with `error` set if the GL cannot (the view then uses ImGui).
    bool init(std::string& error);
    void shutdown();
    bool ready() const { return program_ != 0; }

    void begin_frame(float time_seconds);
    void add(const Bar& bar) { bars_.push_back(bar); }
    // Draws every bar added since begin_frame() at this point of `list`, clipped to its clip rect.
    void submit(ImDrawList* list);

private:
    static void draw_callback(const ImDrawList* list, const ImDrawCmd* cmd);
    void draw(const ImDrawCmd* cmd);

    GLuint program_ = 0, vao_ = 0, corner_buffer_ = 0, instance_buffer_ = 0;
    GLint projection_location_ = -1, time_location_ = -1;
    std::vector<Bar> bars_;
    std::size_t submitted_from_ = 0, submitted_to_ = 0;
    float time_ = 0;
};

} // namespace playground
