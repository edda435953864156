using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Api;
using Prometheus;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Web.Metrics;

/// <summary>
/// The <c>/metrics</c> figures, under the original's names: <c>iosnoopng_read_bytes_total</c> and
/// <c>iosnoopng_written_bytes_total</c> by <c>process_name</c>, refreshed from the processes actor at each
/// scrape, plus counters of the pipeline's health. A process that was deleted or reset starts a new
/// series (Prometheus sees a counter reset); the health counters count since the daemon started.
/// <c>iosnoopng_group_read_bytes_total</c> and <c>iosnoopng_group_written_bytes_total</c> by <c>group</c>, and their disk
/// bytes <c>iosnoopng_group_disk_read_bytes_total</c> and <c>iosnoopng_group_disk_written_bytes_total</c>, come from
/// the process tree (bpftrace): bounded by its cap on groups, and they only grow.
/// </summary>
public sealed class ProcessMetrics
{
    private readonly Counter _read;
    private readonly Counter _written;
    private readonly Counter _diskRead;
    private readonly Counter _diskWritten;
    private readonly Counter _deviceRead;
    private readonly Counter _deviceWritten;
    private readonly Counter _groupRead;
    private readonly Counter _groupWritten;
    private readonly Counter _groupDiskRead;
    private readonly Counter _groupDiskWritten;
    private readonly Counter _events;
    private readonly Counter _malformed;
    private readonly Counter _dropped;
    private readonly Counter _restarts;
    private readonly Gauge _files;
    private readonly Gauge _paths;
    private readonly Dictionary<string, (long Read, long Written)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Read, long Written)> _diskSeen = new(StringComparer.Ordinal);
    private readonly long[] _lastHealth = new long[4];
    private readonly Lock _gate = new();

    public ProcessMetrics(ProcessQueries queries, ProcessTreeQueries tree)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _read = factory.CreateCounter("iosnoopng_read_bytes_total", "Bytes read by process name", "process_name");
        _written = factory.CreateCounter("iosnoopng_written_bytes_total", "Bytes written by process name", "process_name");
        _diskRead = factory.CreateCounter("iosnoopng_disk_read_bytes_total",
            "Bytes read from the disk by process name (Linux: page-cache misses, readahead, O_DIRECT; macOS: what the tracer measures, which is disk I/O)",
            "process_name");
        _diskWritten = factory.CreateCounter("iosnoopng_disk_written_bytes_total",
            "Bytes written to the disk by process name (Linux: dirtied page-cache bytes and O_DIRECT; macOS: what the tracer measures, which is disk I/O)",
            "process_name");
        _deviceRead = factory.CreateCounter("iosnoopng_device_read_bytes_total",
            "Bytes the block layer read from each disk, attributed to a process or not (Linux)", "device");
        _deviceWritten = factory.CreateCounter("iosnoopng_device_written_bytes_total",
            "Bytes the block layer wrote to each disk, attributed to a process or not (Linux)", "device");
        _groupRead = factory.CreateCounter("iosnoopng_group_read_bytes_total",
            "Bytes read from files by the processes of each group (cgroup v2: systemd unit, container, pod; Linux bpftrace)", "group");
        _groupWritten = factory.CreateCounter("iosnoopng_group_written_bytes_total",
            "Bytes written to files by the processes of each group (cgroup v2: systemd unit, container, pod; Linux bpftrace)", "group");
        _groupDiskRead = factory.CreateCounter("iosnoopng_group_disk_read_bytes_total",
            "Bytes the processes of each group made the disk read (page-cache misses, readahead, O_DIRECT; Linux bpftrace)", "group");
        _groupDiskWritten = factory.CreateCounter("iosnoopng_group_disk_written_bytes_total",
            "Bytes the processes of each group dirtied or wrote directly (what writeback writes; Linux bpftrace)", "group");
        _events = factory.CreateCounter("iosnoopng_events_total", "I/O events ingested since the daemon started");
        _malformed = factory.CreateCounter("iosnoopng_malformed_lines_total", "Tracer lines that did not parse");
        _dropped = factory.CreateCounter("iosnoopng_dropped_events_total", "Events the tracer reported lost");
        _restarts = factory.CreateCounter("iosnoopng_tracer_restarts_total", "Times the tracer was restarted");
        _files = factory.CreateGauge("iosnoopng_tracked_files",
            "Process/file entries held (what --max-files bounds; merged rows included)");
        _paths = factory.CreateGauge("iosnoopng_tracked_paths", "Distinct file paths held (each stored once)");
        Registry.AddBeforeCollectCallback(async cancel => Update(await queries.Overview(cancel)));
        Registry.AddBeforeCollectCallback(async cancel => UpdateGroups((await tree.Groups(cancel)).Groups));
    }

    public CollectorRegistry Registry { get; }

    internal void Update(Overview overview)
    {
        lock (_gate)
        {
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in overview.Processes)
            {
                current.Add(p.Name);
                if (_seen.TryGetValue(p.Name, out var before) && (p.Reads < before.Read || p.Writes < before.Written))
                {
                    _read.RemoveLabelled(p.Name);
                    _written.RemoveLabelled(p.Name);
                }
                _read.WithLabels(p.Name).IncTo(p.Reads);
                _written.WithLabels(p.Name).IncTo(p.Writes);
                _seen[p.Name] = (p.Reads, p.Writes);
            }
            foreach (var gone in _seen.Keys.Where(name => !current.Contains(name)).ToList())
            {
                _read.RemoveLabelled(gone);
                _written.RemoveLabelled(gone);
                _seen.Remove(gone);
            }
            UpdateDisk(overview, current);
            Advance(0, _events, overview.Totals.Events);
            Advance(1, _malformed, overview.Totals.MalformedLines);
            Advance(2, _dropped, overview.Totals.DroppedEvents);
            Advance(3, _restarts, overview.Source.Restarts);
            _files.Set(overview.Processes.Sum(p => (double)p.Files));
            _paths.Set(overview.PathsHeld);
        }
    }

    /// <summary>The disk figures: on macOS the sources measure the disk, so their read and written bytes are disk bytes.</summary>
    private void UpdateDisk(Overview overview, HashSet<string> current)
    {
        var fileFiguresAreDisk = overview.Source.Name is "fs_usage" or "dtrace";
        foreach (var p in overview.Processes)
        {
            var (read, written) = fileFiguresAreDisk ? (p.Reads, p.Writes) : (p.DiskReads, p.DiskWrites);
            if (_diskSeen.TryGetValue(p.Name, out var before) && (read < before.Read || written < before.Written))
            {
                _diskRead.RemoveLabelled(p.Name);
                _diskWritten.RemoveLabelled(p.Name);
            }
            _diskRead.WithLabels(p.Name).IncTo(read);
            _diskWritten.WithLabels(p.Name).IncTo(written);
            _diskSeen[p.Name] = (read, written);
        }
        foreach (var gone in _diskSeen.Keys.Where(name => !current.Contains(name)).ToList())
        {
            _diskRead.RemoveLabelled(gone);
            _diskWritten.RemoveLabelled(gone);
            _diskSeen.Remove(gone);
        }
        foreach (var device in overview.Devices)
        {
            _deviceRead.WithLabels(device.Device).IncTo(device.ReadBytes);
            _deviceWritten.WithLabels(device.Device).IncTo(device.WriteBytes);
        }
    }

    /// <summary>The bytes per group: sums that only grow while the daemon runs.</summary>
    internal void UpdateGroups(IReadOnlyList<GroupInfo> groups)
    {
        lock (_gate)
        {
            foreach (var g in groups)
            {
                _groupRead.WithLabels(g.Name).IncTo(g.Reads);
                _groupWritten.WithLabels(g.Name).IncTo(g.Writes);
                _groupDiskRead.WithLabels(g.Name).IncTo(g.DiskReads);
                _groupDiskWritten.WithLabels(g.Name).IncTo(g.DiskWrites);
            }
        }
    }

    /// <summary>Adds what a figure grew by; after a reset the figure starts again from zero.</summary>
    private void Advance(int slot, Counter counter, long value)
    {
        var last = _lastHealth[slot];
        counter.Inc(value >= last ? value - last : value);
        _lastHealth[slot] = value;
    }
}
