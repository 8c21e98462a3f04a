# backtest.gp — top: the series with every origin's forecast (and its interval bands) overlaid;
# middle: error (MAE) by horizon step for the model and the baselines; bottom (with intervals): the
# empirical coverage by horizon step of the model's and seasonal naive's intervals, against nominal.
# Data: data_dir.'/actual.tsv' (index, label, value), data_dir.'/windows.tsv' (index, label,
# forecast, then per level from the narrowest: lower, upper; one block per origin, blocks separated
# by two blank lines), data_dir.'/steps.tsv' (step, model, naive, seasonal naive MAE),
# data_dir.'/coverage.tsv' (step, then per level: model, seasonal naive coverage in %).
# Variables: windows, ylabel_1, xlabel_text, label_step, bands (levels; 0: none), level_1 … and
#   nominal_1 … (each level's legend text and value in %).
load common_file
set multiplot layout (bands > 0 ? 3 : 2),1 title title_text font ',13'
set xlabel xlabel_text
set ylabel ylabel_1
tick(c) = (int(column(1)) % label_step == 0) ? stringcolumn(2) : ''
# The command string holds variable names only (never user text), so eval is safe.
cmd = 'plot '
do for [w=0:windows-1] {
    do for [j=bands:1:-1] {
        cmd = cmd . sprintf("data_dir.'/windows.tsv' index %d using 1:%d:%d with filledcurves lc rgb '#d62728' title (%d == 0 ? level_%d.' interval' : ''), ", w, 2+2*j, 3+2*j, w, j)
    }
}
cmd = cmd . "data_dir.'/actual.tsv' using 1:3:xtic(tick(0)) with lines ls 1 title 'actual', "
cmd = cmd . "for [w=0:windows-1] data_dir.'/windows.tsv' index w using 1:3 with lines ls 2 title (w == 0 ? 'forecast at each origin' : '')"
eval cmd
set xlabel 'horizon step'
set ylabel 'MAE'
set xtics 1
set yrange [0:*]
plot data_dir.'/steps.tsv' using 1:2 with linespoints ls 2 pt 7 title 'model', \
     '' using 1:3 with linespoints ls 3 pt 5 title 'naive', \
     '' using 1:4 with linespoints ls 4 pt 9 title 'seasonal naive'
if (bands > 0) {
    set ylabel 'coverage %'
    set yrange [0:105]
    set key bottom left
    cmd = 'plot '
    do for [j=1:bands] {
        cmd = cmd . sprintf("nominal_%d with lines lc rgb '#808080' dt 2 title (%d == 1 ? 'nominal' : ''), ", j, j)
        cmd = cmd . sprintf("data_dir.'/coverage.tsv' using 1:%d with linespoints ls 2 pt %d title 'model '.level_%d, ", 2*j, 5+2*j, j)
        cmd = cmd . sprintf("data_dir.'/coverage.tsv' using 1:%d with linespoints ls 4 pt %d title 'seasonal naive '.level_%d, ", 1+2*j, 5+2*j, j)
    }
    eval cmd[1:strlen(cmd)-2]
}
unset multiplot
