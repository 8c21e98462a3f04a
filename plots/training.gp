# training.gp — training and validation loss per epoch (log scale when they span decades).
# Data: data_dir.'/training.tsv' (epoch, train loss, validation loss or '?').
# Variables: logscale, has_validation, ylabel_1.
load common_file
set title title_text font ',13'
set xlabel 'epoch'
set ylabel ylabel_1
set key top right
if (logscale) { set logscale y }
set datafile missing '?'
cmd = "plot data_dir.'/training.tsv' using 1:2 with lines ls 1 title 'training loss'"
if (has_validation) { cmd = cmd . ", data_dir.'/training.tsv' using 1:3 with lines ls 5 title 'validation loss'" }
eval cmd
