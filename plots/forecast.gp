# forecast.gp — the last seasons of history, the forecast, actuals when known, and a shaded
# prediction intervals when present (one band per level, the wider one lighter); one panel per variable.
# Data (tab-separated, column 1 = step index, column 2 = time label, then one column per variable):
#   data_dir.'/history.tsv', data_dir.'/forecast.tsv'; optional data_dir.'/actual.tsv',
#   data_dir.'/band.tsv' (index, label, then per variable, per level from the narrowest: lower, upper).
# Variables: panels, ylabel_1 … ylabel_N, xlabel_text, label_step, has_actual, bands (levels; 0: none),
#   level_1 … level_bands (their legend titles).
load common_file
set multiplot layout panels,1 title title_text font ',13'
set xlabel xlabel_text
tick(c) = (int(column(1)) % label_step == 0) ? stringcolumn(2) : ''
# Optional layers are added to the plot command only when their data exist; the command string
# holds variable names only (never user text), so eval is safe.
do for [i=1:panels] {
    set ylabel value(sprintf('ylabel_%d', i))
    if (i > 1) { unset key }
    cmd = 'plot '
    # Widest level first, so the narrower bands lie on top of it (overlapping fills darken).
    do for [j=bands:1:-1] {
        lo = 3 + 2*((i-1)*bands + (j-1))
        cmd = cmd . sprintf("data_dir.'/band.tsv' using 1:%d:%d with filledcurves lc rgb '#d62728' title level_%d, ", lo, lo+1, j)
    }
    cmd = cmd . sprintf("data_dir.'/history.tsv' using 1:%d:xtic(tick(0)) with lines ls 1 title 'history', ", 2+i)
    if (has_actual) { cmd = cmd . sprintf("data_dir.'/actual.tsv' using 1:%d with linespoints ls 1 pt 7 ps 0.5 title 'actual', ", 2+i) }
    cmd = cmd . sprintf("data_dir.'/forecast.tsv' using 1:%d:xtic(tick(0)) with linespoints ls 2 pt 7 ps 0.6 title 'forecast'", 2+i)
    eval cmd
}
unset multiplot
