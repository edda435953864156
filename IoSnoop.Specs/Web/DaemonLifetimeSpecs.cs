using Akka.Actor;
using Akka.Hosting;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IoSnoop.Specs.Web;

public sealed class DaemonLifetimeSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-life-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<(RunningDaemon Daemon, int Pid)> StartWithReadyTracer()
    {
        var pidFile = Path.Combine(_dir, "pid");
        var daemon = await RunningDaemon.Start(new DaemonOptions(), new FakeTracerSource("ready", pidFile) { SignalsReady = true });
        var pid = await ChildProcesses.ReadPidFile(pidFile, TimeSpan.FromSeconds(30));
        await daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "running"
                                        && s.GetProperty("totals").GetProperty("writes").GetInt64() == 10,
            TimeSpan.FromSeconds(30));
        return (daemon, pid);
    }

    [Fact]
    public async Task Stopping_the_daemon_stops_its_tracer()
    {
        var (daemon, pid) = await StartWithReadyTracer();
        Assert.True(ChildProcesses.IsAlive(pid));
        await daemon.DisposeAsync();
        Assert.False(ChildProcesses.IsAlive(pid));
    }

    [Fact]
    public async Task A_stopped_tracer_delivers_what_it_printed_last()
    {
        var (daemon, pid) = await StartWithReadyTracer();
        await using (daemon)
        {
            var tracer = daemon.Services.GetRequiredService<ActorRegistry>().Get<TracerActor>();
            await tracer.Ask<TracerProtocol.Stopped>(TracerProtocol.Stop.Instance, TimeSpan.FromSeconds(30));
            Assert.False(ChildProcesses.IsAlive(pid));
            var status = await daemon.WaitForStatus(_ => true, TimeSpan.FromSeconds(30));
            Assert.Equal("stopped", status.GetProperty("source").GetProperty("state").GetString());
            Assert.Equal(5, status.GetProperty("totals").GetProperty("reads").GetInt64());
        }
    }
}
