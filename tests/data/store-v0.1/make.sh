#!/usr/bin/env bash
# How store.db and the expected outputs beside it were made, once, by summit
# 0.1.0 (commit 7626efe) before the reshaping. Kept for provenance: do NOT
# re-run it to "refresh" the fixture; the point is that later releases must
# open this old store and answer exactly as 0.1.0 did.
set -euo pipefail
cd "$(dirname "$0")"
rm -f store.db
export SUMMIT_STORE=store.db
python ../../../bench/generate.py 300 > generated-300.jsonl
summit --by analyst-a import ../../../examples/hague-2025-seed.jsonl
summit --by analyst-b import generated-300.jsonl
summit --by analyst-c record retract --ref fix-1 -n hague-2025 bloomberg-starmer-considering --reason "duplicate of the press-conference record"
summit --by analyst-c record statement -n hague-2025 --ref late-gbr --on 2025-06-20 --actor GBR --speaker "Keir Starmer" --proposal defence-investment-5pct --stance supports --summary "Fixture statement recorded after import." --outlet Fixture --url https://example.org/fixture
summit --by analyst-c record correct -n hague-2025 late-gbr --set 'summary=Fixture statement, corrected.' --reason "wording" --ref fix-2
summit export > export.jsonl
summit audit verify > audit-verify.txt
summit timeline hague-2025 --format json > timeline-hague-2025.json
summit timeline bench-0000 --format json > timeline-bench-0000.json
summit stance hague-2025 --format json > stance-hague-2025.json
summit consensus hague-2025 --format json > consensus-hague-2025.json
summit stance hague-2025 --as-of 2025-06-10 --format json > stance-hague-2025-asof.json
for p in p-main p-alt; do
  summit stance bench-0000 --proposal $p --format json > stance-bench-0000-$p.json
  summit consensus bench-0000 --proposal $p --format json > consensus-bench-0000-$p.json
done
