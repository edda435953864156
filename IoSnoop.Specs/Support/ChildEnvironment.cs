using System.Runtime.CompilerServices;

namespace IoSnoop.Specs.Support;

/// <summary>What every process the specs start inherits.</summary>
internal static class ChildEnvironment
{
    /// <summary>
    /// A .NET process opens a diagnostics socket and debugger pipes in the temporary folder and removes them
    /// when it exits; one killed on purpose (kill -9 restart specs, stuck processes) cannot. The daemons and
    /// tools the specs start need no diagnostics, so they open none and leave nothing behind.
    /// </summary>
    [ModuleInitializer]
    internal static void NoDiagnosticsFiles() => Environment.SetEnvironmentVariable("DOTNET_EnableDiagnostics", "0");
}
