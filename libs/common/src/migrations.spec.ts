import { migrate, splitStatements, type Migration, type MigrationTarget } from './migrations';

describe('splitStatements', () => {
  it('splits on semicolons at line ends and drops comment lines', () => {
    const sql =
      '-- a comment; with a semicolon\nCREATE TABLE a (x Int8);\n\nCREATE TABLE b (\n  y String -- trailing\n);\n';
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x Int8)',
      'CREATE TABLE b (\n  y String -- trailing\n)',
    ]);
  });
});

describe('migrate', () => {
  class FakeTarget implements MigrationTarget {
    readonly store = 'fake';
    readonly applied = new Set<string>(['0001_a']);
    readonly ran: string[] = [];
    async appliedVersions(): Promise<Set<string>> {
      return new Set(this.applied);
    }
    async apply(m: Migration): Promise<void> {
      this.ran.push(m.version);
      this.applied.add(m.version);
    }
  }

  it('applies only what has not run, in order, and is idempotent', async () => {
    const target = new FakeTarget();
    const migrations = ['0001_a', '0002_b', '0003_c'].map((version) => ({ version, statements: [] }));
    expect(await migrate(target, migrations)).toEqual(['0002_b', '0003_c']);
    expect(await migrate(target, migrations)).toEqual([]);
    expect(target.ran).toEqual(['0002_b', '0003_c']);
  });
});
