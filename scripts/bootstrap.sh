#!/bin/sh
# Makes a fresh clone runnable: installs npm dependencies (which include the Node 24 LTS
# runtime from the npm registry, see package.json "node") and the Kafka jars from Maven
# Central. Idempotent: does nothing when both are present and current.
set -eu
cd "$(dirname "$0")/.."

stamp=node_modules/.install-stamp
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "bootstrap: installing npm dependencies (Node 24 runtime included)"
  # Not `npm ci`: the registry this project builds from lacks some other-platform optional
  # packages (@swc/core-darwin-*, ...), which `npm ci` reports as lock-file drift. `npm install`
  # installs the same locked versions and skips the optional ones it cannot find; --no-save
  # keeps the checked-in lock file untouched.
  npm install --no-save --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

if [ ! -f deploy/kafka/lib/.complete ]; then
  echo "bootstrap: fetching Apache Kafka jars from Maven Central"
  mvn -q -B -f deploy/kafka/pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory=lib
  touch deploy/kafka/lib/.complete
fi
