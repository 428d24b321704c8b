#!/usr/bin/env bash
# generate.sh makes the spoken characters that captcha.Generator.Audio strings
# together: every digit and upper-case ASCII letter, in Indonesian (voice
# "id") and English (voice "en"), synthesised by espeak-ng, with leading and
# trailing silence trimmed, as 8 kHz, 8-bit unsigned, mono WAV files named
# LANG/C.wav. It is run by hand at development time, not by the build; the
# files it writes are committed and embedded with go:embed.
#
# Needs Debian's espeak-ng and sox:
#
#	apt-get install -y espeak-ng sox
#	bash captcha/internal/sounds/generate.sh
#
# The output is deterministic for a given espeak-ng and sox: rerunning it
# with the same packages leaves the committed files unchanged.
set -euo pipefail
cd "$(dirname "$0")"

command -v espeak-ng >/dev/null || { echo "generate.sh: needs espeak-ng (apt-get install espeak-ng)" >&2; exit 1; }
command -v sox >/dev/null || { echo "generate.sh: needs sox (apt-get install sox)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

chars="0 1 2 3 4 5 6 7 8 9 A B C D E F G H I J K L M N O P Q R S T U V W X Y Z"
for lang in id en; do
  mkdir -p "$lang"
  for c in $chars; do
    # -s: words per minute, a little slower than the default 175 so that a
    # character stays clear under the noise Audio adds. -a: amplitude.
    # espeak-ng complains on stderr when the machine has no sound card even
    # though it writes the file; show its stderr only when it fails.
    espeak-ng -v "$lang" -s 150 -a 150 -w "$tmp/raw.wav" "$c" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    # Trim silence at both ends (the reverse/trim/reverse idiom), filter
    # below the new Nyquist frequency, resample to 8 kHz, normalise to
    # -1 dBFS and write 8-bit unsigned PCM. --no-dither keeps the output
    # reproducible.
    sox --no-dither "$tmp/raw.wav" -r 8000 -c 1 -b 8 -e unsigned-integer "$lang/$c.wav" \
      silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
      norm -1
  done
done
du -cb id en | tail -n1
