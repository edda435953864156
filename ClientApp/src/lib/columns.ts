// Sort keys of the process and file tables (also what the URL's `sort` may name).

export type ProcessKey = 'name' | 'writes' | 'reads' | 'writeRate' | 'readRate' | 'busy' | 'events' | 'files' | 'lastUpdated'
export const PROCESS_KEYS: readonly ProcessKey[] = ['name', 'writes', 'reads', 'writeRate', 'readRate', 'busy', 'events', 'files', 'lastUpdated']

export type FileKey = 'path' | 'writes' | 'reads' | 'writeRate' | 'readRate' | 'cacheHit' | 'events' | 'lastUpdated'
export const FILE_KEYS: readonly FileKey[] = ['path', 'writes', 'reads', 'writeRate', 'readRate', 'cacheHit', 'events', 'lastUpdated']
