#include "timeline_renderer.hpp"

#include <cstddef>
#include <imgui.h>

#include "shader_program.hpp"

namespace playground {

bool TimelineRenderer::init(std::string& error) {
    program_ = build_shader_program("timeline_bars.vert", "timeline_bars.frag", error);
    if (!program_) return false;
    projection_location_ = glGetUniformLocation(program_, "u_projection");
    time_location_ = glGetUniformLocation(program_, "u_time");

    glGenVertexArrays(1, &vao_);
    glGenBuffers(1, &corner_buffer_);
    glGenBuffers(1, &instance_buffer_);
    glBindVertexArray(vao_);
    static const float corners[] = {0, 0, 1, 0, 0, 1, 1, 1};
    glBindBuffer(GL_ARRAY_BUFFER, corner_buffer_);
    glBufferData(GL_ARRAY_BUFFER, sizeof corners, corners, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);

    // Bar is {rect(4), color(4), style, radius}: style and radius go to a_style.xy.
    glBindBuffer(GL_ARRAY_BUFFER, instance_buffer_);
    const GLsizei stride = sizeof(float) * 10;
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(0));
    glVertexAttribDivisor(1, 1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(sizeof(float) * 4));
    glVertexAttribDivisor(2, 1);
    glEnableVertexAttribArray(3);
    glVertexAttribPointer(3, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(sizeof(float) * 8));
    glVertexAttribDivisor(3, 1);
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    return true;
}

void TimelineRenderer::shutdown() {
    if (!program_) return;
    glDeleteProgram(program_);
    glDeleteBuffers(1, &corner_buffer_);
    glDeleteBuffers(1, &instance_buffer_);
    glDeleteVertexArrays(1, &vao_);
    program_ = 0;
}

void TimelineRenderer::begin_frame(float time_seconds) {
    bars_.clear();
    submitted_from_ = submitted_to_ = 0;
    time_ = time_seconds;
}

void TimelineRenderer::submit(ImDrawList* list) {
    if (!program_ || bars_.empty()) return;
    submitted_from_ = 0;
    submitted_to_ = bars_.size();
    list->AddCallback(&TimelineRenderer::draw_callback, this);
    list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void TimelineRenderer::draw_callback(const ImDrawList*, const ImDrawCmd* cmd) {
    static_cast<TimelineRenderer*>(cmd->UserCallbackData)->draw(cmd);
}

void TimelineRenderer::draw(const ImDrawCmd* cmd) {
    const ImDrawData* data = ImGui::GetDrawData();
    if (!data || submitted_to_ <= submitted_from_) return;
    const float L = data->DisplayPos.x, R = data->DisplayPos.x + data->DisplaySize.x;
    const float T = data->DisplayPos.y, B = data->DisplayPos.y + data->DisplaySize.y;
    const float projection[16] = {
        2.0f / (R - L), 0, 0, 0, 0, 2.0f / (T - B), 0, 0, 0, 0, -1, 0,
        (R + L) / (L - R), (T + B) / (B - T), 0, 1,
    };
    const ImVec2 scale = data->FramebufferScale;
    const int fb_height = static_cast<int>(data->DisplaySize.y * scale.y);
    const ImVec4 clip = cmd->ClipRect;
    glEnable(GL_SCISSOR_TEST);
    glScissor(static_cast<int>((clip.x - L) * scale.x), static_cast<int>(fb_height - (clip.w - T) * scale.y),
              static_cast<int>((clip.z - clip.x) * scale.x), static_cast<int>((clip.w - clip.y) * scale.y));
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);

    glUseProgram(program_);
    glUniformMatrix4fv(projection_location_, 1, GL_FALSE, projection);
    glUniform1f(time_location_, time_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, instance_buffer_);
    const GLsizei count = static_cast<GLsizei>(submitted_to_ - submitted_from_);
    static_assert(sizeof(Bar) == sizeof(float) * 10, "Bar must be 10 tightly packed floats");
    glBufferData(GL_ARRAY_BUFFER, count * sizeof(Bar), bars_.data() + submitted_from_, GL_STREAM_DRAW);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, count);
    glBindVertexArray(0);
}

} // namespace playground
