using IoSnoop.Web.Logging;
using Microsoft.AspNetCore.SignalR;
using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace IoSnoop.Host;

/// <summary>
/// The daemon's logger: levels, the console format, control characters escaped in everything logged
/// (<see cref="LogText"/>), and hub errors that were answered to the client kept out of the log.
/// </summary>
public static class DaemonLogging
{
    public const string ConsoleTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}";

    private const string HubDispatcher = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static Serilog.ILogger CreateLogger(string level) =>
        Configure(new LoggerConfiguration(), SerilogLevel(level),
            to => to.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: LogEventLevel.Verbose)).CreateLogger();

    /// <summary>The daemon's rules on <paramref name="config"/>, writing to the sinks <paramref name="writeTo"/> adds.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration config, LogEventLevel level, Action<LoggerSinkConfiguration> writeTo) =>
        config.MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Filter.ByExcluding(IsAnsweredHubError)
            .WriteTo.Sink(LoggerSinkConfiguration.Wrap(sink => new EscapingSink(sink), writeTo));

    public static LogEventLevel SerilogLevel(string level) => level switch
    {
        "trace" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "info" => LogEventLevel.Information,
        "warn" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };

    /// <summary>
    /// SignalR logs every exception of a hub method as an error with its stack trace, also the
    /// <see cref="HubException"/>s that answer bad arguments or refusals (the client got the message; the
    /// hub's filter logs them at debug, rate-limited) and the cancellations of a page that was closed.
    /// </summary>
    internal static bool IsAnsweredHubError(LogEvent e) =>
        e.Exception is HubException or OperationCanceledException
        && e.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: HubDispatcher };

    /// <summary>Writes each event to the inner sink with control characters escaped in its template and values.</summary>
    private sealed class EscapingSink(ILogEventSink inner) : ILogEventSink, IDisposable
    {
        private static readonly MessageTemplateParser Parser = new();

        public void Emit(LogEvent e)
        {
            var template = LogText.NeedsEscaping(e.MessageTemplate.Text)
                ? Parser.Parse(LogText.Escape(e.MessageTemplate.Text))
                : e.MessageTemplate;
            var changed = !ReferenceEquals(template, e.MessageTemplate);
            var properties = new List<LogEventProperty>(e.Properties.Count);
            foreach (var (name, value) in e.Properties)
            {
                var safe = Escape(value);
                changed |= !ReferenceEquals(safe, value);
                properties.Add(new LogEventProperty(name, safe));
            }
            inner.Emit(changed ? new LogEvent(e.Timestamp, e.Level, e.Exception, template, properties) : e);
        }

        private static LogEventPropertyValue Escape(LogEventPropertyValue value)
        {
            switch (value)
            {
                case ScalarValue { Value: null or bool or int or long or double or DateTime or DateTimeOffset or TimeSpan }:
                    return value;
                case ScalarValue { Value: var v }:
                    var text = v as string ?? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                    return LogText.NeedsEscaping(text) ? new ScalarValue(LogText.Escape(text)) : value;
                case SequenceValue sequence:
                    var elements = sequence.Elements.Select(Escape).ToList();
                    return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
                case StructureValue structure:
                    var fields = structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))).ToList();
                    return fields.Select(f => f.Value).SequenceEqual(structure.Properties.Select(p => p.Value))
                        ? value
                        : new StructureValue(fields, structure.TypeTag);
                case DictionaryValue dictionary:
                    var entries = dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                        (ScalarValue)Escape(e.Key), Escape(e.Value))).ToList();
                    return entries.SequenceEqual(dictionary.Elements) ? value : new DictionaryValue(entries);
                default:
                    return value;
            }
        }

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}
