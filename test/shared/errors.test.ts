import * as errors from '../../functions/shared/errors';

describe('the error classes', () => {
  it('have one named class for every name the state machine may match, each setting its own name', () => {
    for (const name of errors.LOADER_ERROR_NAMES) {
      const ErrorClass = (errors as unknown as Record<string, new (message: string) => Error>)[name];
      expect(ErrorClass).toBeDefined();
      const error = new (ErrorClass as new (message: string) => Error)('message');
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(errors.LoaderError);
    }
  });

  it('list every exported error class among the names', () => {
    const classes = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([name]) => name);
    expect([...errors.LOADER_ERROR_NAMES].sort()).toEqual(classes.sort());
  });
});
