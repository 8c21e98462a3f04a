# backtest.gp — top: the series with every origin's forecast overlaid; bottom: error (MAE) by
# horizon step for the model and the baselines.
# Data: data_dir.'/actual.tsv' (index, label, value), data_dir.'/windows.tsv' (index, label,
# forecast; one block per origin, blocks separated by two blank lines), data_dir.'/steps.tsv'
# (step, model, naive, seasonal naive MAE).
# Variables: windows, ylabel_1, xlabel_text, label_step.
load common_file
set multiplot layout 2,1 title title_text font ',13'
set xlabel xlabel_text
set ylabel ylabel_1
tick(c) = (int(column(1)) % label_step == 0) ? stringcolumn(2) : ''
plot data_dir.'/actual.tsv' using 1:3:xtic(tick(0)) with lines ls 1 title 'actual', \
     for [w=0:windows-1] data_dir.'/windows.tsv' index w using 1:3 with lines ls 2 title (w == 0 ? 'forecast at each origin' : '')
set xlabel 'horizon step'
set ylabel 'MAE'
set xtics 1
set yrange [0:*]
plot data_dir.'/steps.tsv' using 1:2 with linespoints ls 2 pt 7 title 'model', \
     '' using 1:3 with linespoints ls 3 pt 5 title 'naive', \
     '' using 1:4 with linespoints ls 4 pt 9 title 'seasonal naive'
unset multiplot
