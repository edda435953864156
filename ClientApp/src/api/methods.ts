// The hub's method names, in one place: components call the store, the store calls these.

/** Client-to-server methods of /hub/stats. */
export const Hub = {
  getOverview: 'GetOverview',
  getProcessFiles: 'GetProcessFiles',
  deleteProcess: 'DeleteProcess',
  reset: 'Reset',
  getHistory: 'GetHistory',
  getTopProcesses: 'GetTopProcesses',
  searchFiles: 'SearchFiles',
} as const

/** Server-to-client methods. */
export const Push = {
  changes: 'changes',
} as const
