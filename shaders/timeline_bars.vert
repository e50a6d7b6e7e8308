// Timeline bars: one instance per task bar, drawn as a quad of 4 corners.
//
// The same body compiles as GLSL ES 3.00 (WebGL2) and GLSL 3.30 core (desktop): the app puts
// "#version 300 es" + precision, or "#version 330 core", in front (see shader_program.cpp).

layout(location = 0) in vec2 a_corner; // (0,0) .. (1,1)
layout(location = 1) in vec4 a_rect;   // x0, y0, x1, y1 in screen pixels
layout(location = 2) in vec4 a_color;  // premultiplied later; straight RGBA here
layout(location = 3) in vec4 a_style;  // x: 0 solid, 1 running, 2 queued; y: corner radius

uniform mat4 u_projection; // screen pixels -> clip space (same as ImGui's)

out vec2 v_local;   // pixel position inside the bar, from its top-left corner
out vec2 v_size;    // bar size in pixels
out vec4 v_color;
flat out vec4 v_style;

void main() {
    vec2 size = a_rect.zw - a_rect.xy;
    v_local = a_corner * size;
    v_size = size;
    v_color = a_color;
    v_style = a_style;
    gl_Position = u_projection * vec4(a_rect.xy + v_local, 0.0, 1.0);
}
