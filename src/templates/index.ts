/** Versioned templates: tag names and messages, next versions, version masks and the bump check. Pure: no I/O. */
export * from './versions.js';
export * from './version-tags.js';
export * from './tag-message.js';
export * from './content-hash.js';
export * from './next-version.js';
export * from './version-mask.js';
export * from './template-shape.js';
export * from './bump.js';
