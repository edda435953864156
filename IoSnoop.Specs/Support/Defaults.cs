using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Host;

namespace IoSnoop.Specs.Support;

/// <summary>The daemon's settings as its options record makes them with every flag at its default: the one
/// place defaults are written is <see cref="DaemonOptions"/>, for the specs too.</summary>
internal static class Defaults
{
    public static DaemonOptions Options { get; } = new();

    public static HistorySettings History => DaemonApp.HistorySettingsFor(Options);

    public static ProcessesSettings Stats => DaemonApp.ProcessesSettingsFor(Options);

    public static StoreSettings Store => DaemonApp.StoreSettingsFor(Options);
}
