# shellcheck shell=bash
# tools/lib.sh: shell helpers shared by tools/test and tools/demo (sourced, not executed).
#
# Everything the project needs on a machine is installed from Debian packages listed here, in
# one place, so that a fresh Debian 12 (even a minimal one, run under `env -i`) can build, test
# and demo the project with nothing but this repository.

# Debian packages needed to build, test (gcc and clang + sanitizers + libFuzzer) and run Maille.
MAILLE_DEB_PACKAGES=(
	build-essential
	clang
	libclang-rt-14-dev
	meson
	ninja-build
	gettext
	pkg-config
	python3
	ca-certificates
	libsodium-dev
	libuv1-dev
	libmsgpack-dev
	libsqlite3-dev
	libstemmer-dev
	libyaml-dev
	libjansson-dev
	libcmark-dev
	libmicrohttpd-dev
	libcsv-dev
	libraptor2-dev
)

# And for the test suite only (tools/test): the browser of the browser test; the locale data
# from which tools/test generates fr_FR.UTF-8 (maille_locale_fr), with the C library's French
# messages; raptor2's rapper, the second reader of the DCAT exports, and PyYAML, the second
# reader of the import drafts' front matter; llvm's llvm-symbolizer, which the sanitizers need
# to name the functions of a report and to apply a suppression by function (raptor2's own
# leak, tests/fuzz/fuzz_import_dcat.c); Node.js and npm come from Debian too when no
# `node`/`npm` is on the PATH (maille_node_packages).
MAILLE_TEST_PACKAGES=(
	chromium
	llvm
	raptor2-utils
	python3-yaml
	locales
	libc-l10n
)

# Options of the plain (gcc) build in build/, shared by tools/test and tools/demo so that
# switching between them does not rebuild everything.
# shellcheck disable=SC2034 # used by the scripts that source this file
MAILLE_PLAIN_SETUP_OPTS=(-Dwerror=true --buildtype=debugoptimized)

# A predictable environment, whatever the caller's (cron, `env -i`, a CI runner).
maille_env_init()
{
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	if [ -d /usr/lib/locale/C.utf8 ] || [ -d /usr/lib/locale/C.UTF-8 ]; then
		export LC_ALL=C.UTF-8
	else
		export LC_ALL=C
	fi
	if [ -z "${HOME:-}" ]; then
		HOME=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6 || true)
		export HOME=${HOME:-/tmp}
	fi
	export DEBIAN_FRONTEND=noninteractive
	unset CDPATH
}

maille_log()
{
	printf '==> %s\n' "$*"
}

maille_die()
{
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# The browser test (tests/browser) runs playwright-core on Node.js: Debian's nodejs and npm,
# unless a node and an npm are already installed (another packaging of Node.js is fine).
maille_node_packages()
{
	command -v node >/dev/null 2>&1 || printf '%s\n' nodejs
	command -v npm >/dev/null 2>&1 || printf '%s\n' npm
}

# Prints the packages of MAILLE_DEB_PACKAGES (and maille_node_packages) that are not installed
# (one per line).
# maille_missing_packages [--tests]
maille_missing_packages()
{
	local p status
	local -a want=("${MAILLE_DEB_PACKAGES[@]}")
	if [ "${1:-}" = --tests ]; then
		want+=("${MAILLE_TEST_PACKAGES[@]}")
		mapfile -t -O "${#want[@]}" want < <(maille_node_packages)
	fi
	for p in "${want[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		if [ "$status" != "install ok installed" ]; then
			printf '%s\n' "$p"
		fi
	done
}

# Installs what is missing. Needs root (or prints the command to run and fails).
# maille_install_packages [--tests]: the build's packages, and with --tests the test suite's.
maille_install_packages()
{
	local missing log what="${1:-}"
	if ! command -v dpkg-query >/dev/null 2>&1; then
		maille_die "dpkg-query not found: this script expects Debian 12 or a derivative"
	fi
	mapfile -t missing < <(maille_missing_packages "$what")
	if [ "${#missing[@]}" -eq 0 ]; then
		maille_log "every Debian package needed is already installed"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		printf 'error: missing Debian packages: %s\n' "${missing[*]}" >&2
		printf 'Install them as root, then run this script again:\n' >&2
		printf '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
			"${missing[*]}" >&2
		exit 1
	fi
	maille_log "installing ${#missing[@]} Debian packages: ${missing[*]}"
	log=$(mktemp "${TMPDIR:-/tmp}/maille-apt.XXXXXX")
	if ! apt-get -q update >"$log" 2>&1 ||
		! apt-get -q install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		maille_die "apt-get failed (see above)"
	fi
	rm -f "$log"
	mapfile -t missing < <(maille_missing_packages "$what")
	if [ "${#missing[@]}" -ne 0 ]; then
		maille_die "still missing after apt-get install: ${missing[*]}"
	fi
}

# maille_locale_fr: generates the fr_FR.UTF-8 locale when it is missing (as root; a minimal
# Debian has only C, C.UTF-8 and POSIX), so that the suite runs the CLI in a generated French
# locale as well as in one that is not (the CLI speaks French in both, tools/cli/i18n.c).
maille_locale_fr()
{
	if locale -a 2>/dev/null | grep -qix 'fr_FR\.utf-\?8'; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		maille_log "fr_FR.UTF-8 is not generated (needs root): the French tests use it ungenerated"
		return 0
	fi
	maille_log "generating the fr_FR.UTF-8 locale"
	localedef -i fr_FR -c -f UTF-8 -A /usr/share/locale/locale.alias fr_FR.UTF-8 ||
		maille_die "localedef could not generate fr_FR.UTF-8"
}

# maille_meson_setup CC BUILDDIR OPTIONS...: configures BUILDDIR with compiler CC, reconfiguring
# an existing build directory (or starting afresh when that fails or when it was configured with
# another compiler: meson keeps the compiler of the first setup). Returns meson's status.
# The compiler is remembered in BUILDDIR/maille-cc (meson 1.0 cannot be asked for it).
maille_meson_setup()
{
	local cc="$1" dir="$2" st=0
	shift 2
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		if [ "$(cat "$dir/maille-cc" 2>/dev/null || true)" = "$cc" ]; then
			maille_log "reconfiguring $dir"
			if CC=$cc meson setup --reconfigure "$dir" "$@"; then
				return 0
			fi
			maille_log "reconfiguring $dir failed: starting afresh"
		else
			maille_log "$dir was not configured with $cc: starting afresh"
		fi
	fi
	rm -rf "$dir"
	CC=$cc meson setup "$dir" "$@" || st=$?
	if [ "$st" -eq 0 ]; then
		printf '%s\n' "$cc" >"$dir/maille-cc"
	fi
	return "$st"
}

# maille_npm_ci DIR: installs the npm packages of DIR (tests/browser) from its committed
# lockfile when DIR/node_modules is missing. Never a browser: playwright-core downloads none,
# and the test drives Debian's /usr/bin/chromium.
#
# When the registry cannot be reached (no network, or a TLS-intercepting proxy whose authority
# this machine does not trust), the reason goes to DIR/.npm-failed and the browser test reports
# itself skipped with it, rather than failing for a reason outside the project. The system's
# trust store is added to Node's own (Node ignores it otherwise).
maille_npm_ci()
{
	local dir="$1" log sum
	# node_modules is current when it was installed from this very lock file: a lock that
	# gained a package (axe-core beside playwright-core) installs again
	sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
	if [ -d "$dir/node_modules/playwright-core" ] &&
		[ "$(cat "$dir/node_modules/.maille-lock" 2>/dev/null)" = "$sum" ]; then
		rm -f "$dir/.npm-failed"
		return 0
	fi
	maille_log "npm ci in $dir"
	log=$(mktemp "${TMPDIR:-/tmp}/maille-npm.XXXXXX")
	if [ -f /etc/ssl/certs/ca-certificates.crt ] && [ -z "${NODE_EXTRA_CA_CERTS:-}" ]; then
		export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
	fi
	if (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund) \
		>"$log" 2>&1; then
		printf '%s\n' "$sum" >"$dir/node_modules/.maille-lock"
		rm -f "$dir/.npm-failed" "$log"
		return 0
	fi
	cat "$log" >&2
	grep -m1 -E 'npm (ERR!|error) (code|request|network)' "$log" >"$dir/.npm-failed" ||
		echo "npm ci failed (see its output above)" >"$dir/.npm-failed"
	rm -f "$log"
	return 1
}
