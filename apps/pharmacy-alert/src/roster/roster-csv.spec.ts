import { parseCsv, rosterRowsFromCsv } from './roster-csv';

describe(parseCsv.name, () => {
  it('reads quoted fields with commas, doubled quotes and CRLF line ends', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,2,3\r\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });
});

describe(rosterRowsFromCsv.name, () => {
  it('turns identifier and therapy cells into the JSON row shape', () => {
    const csv = [
      'pharmacyPatientId,familyName,givenName,birthDate,sex,preferredLanguage,pharmacistId,teamId,outreachConsent,identifiers,therapies',
      'SP-1,RIVERA,JASON,1968-04-12,M,en,pharm-ana,team-1,true,LGH:00482913:MR;NSHP:NSH778812345:MB,RXNORM:327361:adalimumab:M06.9',
    ].join('\n');
    const { rows, missingColumns } = rosterRowsFromCsv(csv);
    expect(missingColumns).toEqual([]);
    expect(rows[0]).toEqual({
      pharmacyPatientId: 'SP-1',
      familyName: 'RIVERA',
      givenName: 'JASON',
      birthDate: '1968-04-12',
      sex: 'M',
      preferredLanguage: 'en',
      pharmacistId: 'pharm-ana',
      teamId: 'team-1',
      outreachConsent: true,
      identifiers: [
        { authority: 'LGH', value: '00482913', type: 'MR' },
        { authority: 'NSHP', value: 'NSH778812345', type: 'MB' },
      ],
      therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
    });
  });

  it('names the required columns a file lacks', () => {
    expect(rosterRowsFromCsv('pharmacyPatientId,familyName\nSP-1,X\n').missingColumns).toEqual(['givenName', 'birthDate', 'identifiers']);
  });
});
