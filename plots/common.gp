# common.gp — terminal and style shared by every seqcast plot. Loaded by each template.
# Variables set by seqcast (settings.gp): out_file, term, width, height, title_text.
# Text is drawn literally (noenhanced), so column names with _ or ^ print as they are.
if (term eq 'svg') {
    set terminal svg size width,height dynamic noenhanced font 'Sans,11' background '#ffffff'
} else {
    set terminal pngcairo size width,height noenhanced font 'Sans,10' background '#ffffff'
}
set output out_file
set border 3 lc rgb '#606060'
set tics nomirror textcolor rgb '#404040'
set grid ytics lc rgb '#e0e0e0' lt 1
set key top left opaque box lc rgb '#d0d0d0'
set style line 1 lc rgb '#222222' lw 1.5              # history / actual
set style line 2 lc rgb '#d62728' lw 2.5              # model forecast
set style line 3 lc rgb '#1f77b4' lw 1.5 dt 2         # naive
set style line 4 lc rgb '#2ca02c' lw 1.5 dt 3         # seasonal naive
set style line 5 lc rgb '#ff7f0e' lw 2                # validation
set style fill transparent solid 0.25 noborder
