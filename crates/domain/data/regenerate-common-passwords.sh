#!/usr/bin/env bash
# Regenerates common-passwords.txt (top 10,000 entries of the frequency-ranked
# "passwords" dictionary shipped in npm @zxcvbn-ts/language-common, MIT).
# Needs node + npm and access to the npm registry. Usage: bash regenerate-common-passwords.sh
set -euo pipefail

PKG="@zxcvbn-ts/language-common@4.1.3"
COUNT=10000
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/common-passwords.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npm install --prefix "$tmp" --ignore-scripts --no-save --no-audit --no-fund "$PKG" >/dev/null

node - "$tmp/node_modules/@zxcvbn-ts/language-common/src/passwords.json" "$COUNT" "$out" <<'JS'
const fs = require('fs');
const [src, count, out] = process.argv.slice(2);
const list = JSON.parse(fs.readFileSync(src, 'utf8'));
const seen = new Set();
const top = [];
for (const pw of list) {
  if (pw === '' || /[\r\n]/.test(pw) || seen.has(pw)) continue;
  seen.add(pw);
  top.push(pw);
  if (top.length === Number(count)) break;
}
if (top.length !== Number(count)) throw new Error(`only ${top.length} entries in ${src}`);
fs.writeFileSync(out, top.join('\n') + '\n', 'utf8');
JS

echo "wrote $(wc -l < "$out") lines to $out"
