# draw.sh - a digit drawn as the playground's page sends it (sourced, not run):
# the 280x280 pad scaled to 112x112 grey levels, white paper, a dark round pen
# (18 px on the pad: 7 px here) along a polyline given in the pad's unit square.
# Used by tests/test_playground.sh and playground/bench.sh.
draw() {    # "x0 y0 x1 y1 ..." -> JSON on stdout
    awk -v SIZE=112 -v W=7 -v LINE="$1" '
    function seg(px, py, ax, ay, bx, by,   dx, dy, t, qx, qy) {
        dx = bx - ax; dy = by - ay
        t = (dx * dx + dy * dy) > 0 ? ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy) : 0
        t = t < 0 ? 0 : t > 1 ? 1 : t
        qx = ax + t * dx - px; qy = ay + t * dy - py
        return sqrt(qx * qx + qy * qy)
    }
    BEGIN {
        n = split(LINE, p, " ")
        printf "{\"width\": %d, \"height\": %d, \"pixels\": [", SIZE, SIZE
        for (y = 0; y < SIZE; y++)
            for (x = 0; x < SIZE; x++) {
                d = 1e9
                for (i = 1; i + 3 <= n; i += 2) {
                    s = seg((x + 0.5) / SIZE, (y + 0.5) / SIZE, p[i], p[i + 1], p[i + 2], p[i + 3]) * SIZE
                    if (s < d) d = s
                }
                ink = W / 2 + 0.5 - d; ink = ink < 0 ? 0 : ink > 1 ? 1 : ink
                printf "%s%d", (x || y) ? "," : "", int(255 - 238 * ink + 0.5)
            }
        printf "]}\n"
    }'
}
