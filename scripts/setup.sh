# Sourced by the other scripts: installs the pinned tools (the cdk CLI,
# Node.js and cfn-guard with the Control Tower rules from package-lock.json,
# the Go modules from go.sum) when they are missing or the lock files
# changed, and puts them first on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.installed-from
want=$(cat package.json package-lock.json .npmrc | sha256sum | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the pinned cdk CLI, Node.js and cfn-guard (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
go mod download

# The pinned Node.js runs both the cdk CLI and the jsii kernel behind the Go
# CDK; the CLI sends no telemetry and shows no notices.
export PATH="$PWD/node_modules/.bin:$PATH"
export CDK_DISABLE_CLI_TELEMETRY=true
