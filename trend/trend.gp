# draw again with 'gnuplot -c trend.gp FOLDER'
DIR = ARGC > 0 ? ARG1 : '.'
reset
do for [fmt in 'png svg'] {
  if (fmt eq 'png') { set terminal pngcairo size 1000,560 font 'sans,10' } else { set terminal svg size 1000,560 dynamic font 'sans,10' }
  set output sprintf('%s/trend.%s', DIR, fmt)
  set title 'IOPS per mode across runs (mean, 95% CI; dashed: a change point)' noenhanced
  set key outside right noenhanced
  set xtics rotate by -30 noenhanced
  set grid ytics
  set yrange [0:*]
  set ylabel 'IOPS'
  set label 1 'emulated (TCG)' at graph 0.01, graph 0.97 tc rgb '#b00000'
  plot sprintf('%s/trend.dat', DIR) using 1:3:4:xtic(2) with yerrorlines title "127.0.0.1/host read", sprintf('%s/trend.dat', DIR) using 1:5:6 with yerrorlines title "127.0.0.1/host write", sprintf('%s/trend.dat', DIR) using 1:7:8:xtic(2) with yerrorlines title "127.0.0.1/virtio-blk read", sprintf('%s/trend.dat', DIR) using 1:9:10 with yerrorlines title "127.0.0.1/virtio-blk write", sprintf('%s/trend.dat', DIR) using 1:11:12:xtic(2) with yerrorlines title "localhost/host read", sprintf('%s/trend.dat', DIR) using 1:13:14 with yerrorlines title "localhost/host write", sprintf('%s/trend.dat', DIR) using 1:15:16:xtic(2) with yerrorlines title "localhost/virtio-blk read", sprintf('%s/trend.dat', DIR) using 1:17:18 with yerrorlines title "localhost/virtio-blk write"
  unset output
}
