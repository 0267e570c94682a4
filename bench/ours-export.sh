#!/bin/sh
# OUR_EXPORTER for run_peers.sh, which calls it as `ours-export.sh SAMPLE.json OUT.pdf`.
# The peers' SAMPLE.json ($1) is ignored: our exporter reads the equivalent record
# (bench/dialogue-record-peer-content.json, made from it by bench/peer_record.py).
# bench/run.sh sets TAIWA_BENCH_BIN and TAIWA_BENCH_RECORD. One dash start-up plus an
# exec: about 1 ms on top of the export itself (run.sh measures it: "wrapper overhead").
exec "$TAIWA_BENCH_BIN" export "$TAIWA_BENCH_RECORD" -o "$2"
