using System.Collections.Concurrent;
using IoSnoop.Host;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace IoSnoop.Specs.Security;

/// <summary>
/// Keeps every log event the daemon writes, rendered with its properties, configured like the daemon's
/// own logger (<see cref="DaemonLogging"/>) at its most verbose level (<c>-l trace</c>).
/// </summary>
public sealed class CapturedLog : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly MessageTemplateTextFormatter _format = new("{Level} {Message:lj} {Properties} {Exception}");

    public CapturedLog()
    {
        Logger = DaemonLogging.Configure(new LoggerConfiguration(), LogEventLevel.Verbose, to => to.Sink(this)).CreateLogger();
    }

    public ILogger Logger { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join("\n", _lines);

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter();
        _format.Format(logEvent, text);
        _lines.Enqueue(text.ToString());
    }
}
