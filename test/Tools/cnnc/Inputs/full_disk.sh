#!/bin/bash
# Runs cnnc's and cnnc-tune's writers against a small tmpfs that fills up
# mid-write, in a private mount namespace (unshare: no privileges needed
# where user namespaces are allowed), and lists what each left on the disk.
#   full_disk.sh WORK MODEL DATABASE CNNC CNNC_TUNE
set -u
work=$1 model=$2 database=$3 cnnc=$4 cnnc_tune=$5
disk=$work/disk
mkdir -p "$disk"
mount -t tmpfs -o size=64k cnnc-full-disk "$disk" || exit 2
attempt() { # attempt LABEL COMMAND...: its status and first error line, then the disk
  local label=$1
  shift
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  echo "$label: exit $? $(grep -m1 -i 'space' "$work/err.txt")"
  echo "$label left: $(cd "$disk" && ls -A | grep -v '^filler$' | tr '\n' ' ')"
}
attempt program "$cnnc" "$model" -q -o "$disk/model"
attempt weights "$cnnc" weights "$model" -o "$disk/w.safetensors"
attempt database "$cnnc_tune" merge "$database" -o "$disk/tuning.db"
# Text that is small: the disk is filled first, to its last kilobyte.
head -c 63k /dev/zero > "$disk/filler" 2> /dev/null
attempt text "$cnnc" "$model" --emit=cnn -o "$disk/model.mlir"
umount "$disk"
