// Timeline bars: rounded, anti-aliased, lit from the top. Running bars carry stripes that slide
// forward (the thread is busy), with a bright leading edge where the bar grows; queued bars are
// hatched and translucent (the task waits for a thread).

in vec2 v_local;
in vec2 v_size;
in vec4 v_color;
flat in vec4 v_style;

uniform float u_time; // seconds, for the running animation

out vec4 frag_color;

float rounded_box_distance(vec2 p, vec2 half_size, float radius) {
    vec2 q = abs(p) - half_size + radius;
    return length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - radius;
}

void main() {
    vec2 half_size = v_size * 0.5;
    float radius = min(v_style.y, min(half_size.x, half_size.y));
    float d = rounded_box_distance(v_local - half_size, half_size, radius);
    float coverage = clamp(0.5 - d, 0.0, 1.0);
    if (coverage <= 0.0) discard;

    vec3 color = v_color.rgb * mix(1.15, 0.85, v_local.y / max(v_size.y, 1.0));
    float alpha = v_color.a;
    int style = int(v_style.x + 0.5);
    if (style == 1) {
        float stripe = step(0.5, fract((v_local.x + v_local.y - u_time * 36.0) / 12.0));
        color = mix(color, min(color * 1.3 + 0.05, vec3(1.0)), stripe * 0.55);
        float leading_edge = smoothstep(8.0, 0.0, v_size.x - v_local.x);
        color = mix(color, vec3(1.0), leading_edge * 0.45);
    } else if (style == 2) {
        float hatch = step(0.5, fract((v_local.x - v_local.y) / 7.0));
        color *= mix(0.65, 1.0, hatch);
        alpha *= 0.75;
    }
    // A darker 1-pixel rim keeps neighbouring bars apart.
    color *= mix(0.55, 1.0, clamp(-d - 0.25, 0.0, 1.0));
    frag_color = vec4(color, alpha * coverage);
}
