// What the console said, in each of its styles and those of proxies in front of it.

import { describe, expect, it } from 'vitest';
import { type ConsoleMessage, readConsoleMessage, shorten } from '../../../src/rainbond/console-message.ts';

const none: ConsoleMessage = { message: undefined, summary: undefined, businessCode: undefined };

describe('readConsoleMessage', () => {
  it('with preferMsg (any 5xx), msg comes before msg_show whatever the code', () => {
    const body =
      '{"code":500,"msg":"database is locked","msg_show":"Traceback (most recent call last): ..."}';
    expect(readConsoleMessage(body, { preferMsg: true })).toEqual({
      message: 'database is locked',
      summary: 'database is locked',
      businessCode: 500,
    });
  });

  it.each<{ name: string; body: string | undefined; expected: ConsoleMessage }>([
    { name: 'an unreadable body says nothing', body: undefined, expected: none },
    { name: 'an empty body says nothing', body: '  \n', expected: none },
    {
      name: 'an envelope gives msg_show, with msg in brackets when it differs',
      body: '{"code":404,"msg":"no found group app","msg_show":"目标应用不存在","data":{"bean":{},"list":[]}}',
      expected: {
        message: '目标应用不存在',
        summary: '目标应用不存在 (no found group app)',
        businessCode: 404,
      },
    },
    {
      name: 'the catch-all 500 of console 6.1.1+ (code 10401) gives msg, never the traceback in msg_show',
      body: JSON.stringify({
        code: 10401,
        msg: "'9f6e98bbb0c7893af5d3a82f1cb94645'",
        msg_show:
          'Traceback (most recent call last):\n  File "console/services/groupcopy_service.py"\nKeyError',
        error_type: 'KeyError',
        error_trace: 'Traceback ...',
      }),
      expected: {
        message: "'9f6e98bbb0c7893af5d3a82f1cb94645'",
        summary: "'9f6e98bbb0c7893af5d3a82f1cb94645'",
        businessCode: 10401,
      },
    },
    {
      name: "a validation answer keeps the fields it names, in the console's words",
      body: '{"detail":"参数错误","err":{"version":["请确保这个字段不能超过 32 个字符。"]},"code":20400,"error_type":"ValidationError"}',
      expected: {
        message: '参数错误: version: 请确保这个字段不能超过 32 个字符。',
        summary: '参数错误: version: 请确保这个字段不能超过 32 个字符。',
        businessCode: 20400,
      },
    },
    {
      name: 'the answer check of the envs endpoint names the failing entries only, by index',
      body: '{"detail":"参数错误","err":{"envs":[{},{"note":["该字段不能为空。"]}]},"code":20400}',
      expected: {
        message: '参数错误: envs[1].note: 该字段不能为空。',
        summary: '参数错误: envs[1].note: 该字段不能为空。',
        businessCode: 20400,
      },
    },
    {
      name: 'the catch-all 500 of consoles before 6.1.1 has an empty msg: its fixed msg_show is the message',
      body: '{"code":10401,"msg":"","msg_show":"服务端异常"}',
      expected: { message: '服务端异常', summary: '服务端异常', businessCode: 10401 },
    },
    {
      name: 'an envelope whose msg and msg_show agree says it once',
      body: '{"detail":"No such user","code":401,"msg":"No such user","msg_show":"No such user","error_type":"auth"}',
      expected: { message: 'No such user', summary: 'No such user', businessCode: 401 },
    },
    {
      name: 'an empty msg_show falls back to msg',
      body: '{"code":3000,"msg":"the region is not found","msg_show":""}',
      expected: {
        message: 'the region is not found',
        summary: 'the region is not found',
        businessCode: 3000,
      },
    },
    {
      name: 'a framework error gives its detail',
      body: '{"detail":"Method \\"PUT\\" not allowed."}',
      expected: {
        message: 'Method "PUT" not allowed.',
        summary: 'Method "PUT" not allowed.',
        businessCode: undefined,
      },
    },
    {
      name: 'a validation error keyed by field is shown as compact JSON',
      body: '{"services": ["This field is required."]}',
      expected: {
        message: '{"services":["This field is required."]}',
        summary: '{"services":["This field is required."]}',
        businessCode: undefined,
      },
    },
    {
      name: 'a business code sent as a numeric string is read as a number',
      body: '{"code":"20002","msg":"not enough quota"}',
      expected: { message: 'not enough quota', summary: 'not enough quota', businessCode: 20002 },
    },
    {
      name: 'a business code that is not a number is left out',
      body: '{"code":"not_authenticated","detail":"Invalid token."}',
      expected: { message: 'Invalid token.', summary: 'Invalid token.', businessCode: undefined },
    },
    {
      name: 'message fields of the wrong type are ignored',
      body: '{"code":400,"msg_show":{"zh":"错误"},"msg":"bad request"}',
      expected: { message: 'bad request', summary: 'bad request', businessCode: 400 },
    },
    {
      name: 'an HTML page is named by its title',
      body: '<!DOCTYPE html>\n<html><head><title>\n  Server Error (500)\n</title></head><body>…</body></html>',
      expected: { message: 'Server Error (500)', summary: 'Server Error (500)', businessCode: undefined },
    },
    {
      name: 'an HTML page without a title says nothing',
      body: '<html><body><h1>oops</h1></body></html>',
      expected: none,
    },
    {
      name: 'a plain-text answer is used as it is',
      body: 'upstream connect error or disconnect/reset before headers',
      expected: {
        message: 'upstream connect error or disconnect/reset before headers',
        summary: 'upstream connect error or disconnect/reset before headers',
        businessCode: undefined,
      },
    },
    {
      name: 'a JSON string is used as it is',
      body: '"wait a moment please"',
      expected: { message: 'wait a moment please', summary: 'wait a moment please', businessCode: undefined },
    },
    { name: 'a JSON array says nothing', body: '[1, 2]', expected: none },
  ])('$name', ({ body, expected }) => {
    expect(readConsoleMessage(body)).toEqual(expected);
  });
});

describe('shorten', () => {
  it.each([
    { name: 'a short line is kept', text: 'no found team', max: 200, expected: 'no found team' },
    {
      name: 'line breaks and runs of spaces become one space',
      text: ' a\n\n b\t c ',
      max: 200,
      expected: 'a b c',
    },
    { name: 'a long line is cut with an ellipsis', text: 'abcdefghij', max: 5, expected: 'abcd…' },
    { name: 'a line of exactly the limit is kept', text: 'abcde', max: 5, expected: 'abcde' },
    {
      name: 'characters outside the BMP are not cut in half',
      text: '😀😀😀😀😀😀',
      max: 4,
      expected: '😀😀😀…',
    },
    { name: 'Chinese text is counted by characters', text: '目标应用不存在', max: 4, expected: '目标应…' },
  ])('$name', ({ text, max, expected }) => {
    expect(shorten(text, max)).toBe(expected);
  });
});
