#!/usr/bin/env bash
# Tunes a model as a Slurm array job, one shard per task, on a single-node
# Slurm started here for the purpose, and merges the shards' databases:
#
#   slurm_shards.sh WORK SHARDS MERGED_DB -- cnnc-tune ARGUMENTS...
#
# Each task runs `cnnc-tune ARGUMENTS --shard $SLURM_ARRAY_TASK_ID/SHARDS
# -o WORK/shard-<i>.db`. munged, slurmctld and slurmd run from WORK with
# private ports, and stop on every path out of this script.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
work=$(realpath "$1") shards=$2 merged=$3
shift 4
tune=("$@")

mkdir -p "$work"/{state,spool,log,munge}
chmod 755 "$work" "$work/munge"
conf="$work/slurm.conf"
export SLURM_CONF="$conf"

stop() {
  scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill "$pid" 2>/dev/null || true
    fi
  done
}
trap stop EXIT

dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed" --force

host=$(hostname -s)
port=$((20000 + $$ % 20000))
cat > "$conf" <<CONF
ClusterName=cnnctune
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=tune Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 300); do
  [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break
  sleep 0.1
done
if [ "$(sinfo -h -o %t 2>/dev/null)" != idle ]; then
  echo "slurm_shards.sh: the Slurm node did not become idle; its logs follow" >&2
  cat "$work"/log/*.log >&2 || true
  exit 1
fi

quoted=$(printf '%q ' "${tune[@]}")
job=$(sbatch --parsable --array=0-$((shards - 1)) --output="$work/log/shard-%a.out" \
  --wrap "$quoted --shard \$SLURM_ARRAY_TASK_ID/$shards -o $work/shard-\$SLURM_ARRAY_TASK_ID.db")
echo "submitted array job $job with $shards tasks"
for _ in $(seq 3000); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
databases=()
for ((i = 0; i < shards; ++i)); do
  if [ ! -s "$work/shard-$i.db" ]; then
    echo "slurm_shards.sh: shard $i wrote no database; its output follows" >&2
    cat "$work/log/shard-$i.out" >&2 || true
    exit 1
  fi
  grep -h "kernel(s) to tune" "$work/log/shard-$i.out" || true
  databases+=("$work/shard-$i.db")
done
"${tune[0]}" merge "${databases[@]}" -o "$merged"
