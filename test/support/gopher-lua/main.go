// Command argocd-lua runs an Argo CD resource health script in the environment Argo CD gives a
// health script registered in argocd-cm (resource.customizations.health.<group>_<kind>) while
// resource.customizations.useOpenLibs.<group>_<kind> is unset: the default, and how
// deploy/argocd registers the AppCopy check. The tests in test/unit/gitops run health.lua here,
// so a script that needs anything Argo CD does not give it fails the tests too.
//
// What is reproduced, as read in argoproj/argo-cd util/lua/lua.go (VM.runLuaWithResourceActionParameters,
// ExecuteHealthLua, decodeValue) and util/lua/oslib_safe.go at 37ee0097cf851bc2dd7665fc081bbce61a7e836e
// (master, VERSION 3.6.0), identical in v3.5.1 (109ca7ca71139e514114499d294a492e7910a965):
//
//   - gopher-lua at the version Argo CD pins (go.mod here), the state created with SkipOpenLibs;
//   - then exactly these openers, in this order, each called with its module name: package,
//     base, table, and Argo CD's "safe os" opener, which registers its functions under the name
//     "table" (lua.TabLibName). gopher-lua's RegisterModule returns an already loaded module
//     untouched, so that call adds nothing: there is NO global `os`;
//   - `require("os")` preloaded with a table of exactly `time` and `date`;
//   - nothing else: no global `string`, `math`, `io`, `os`, `debug`, `coroutine`; and no string
//     methods (`("x"):upper()`), as gopher-lua installs the string metatable only in OpenString;
//   - the live object as the global `obj`, converted as Argo CD converts an unstructured object
//     (whole JSON numbers are int64 in Kubernetes' decoding and floats float64, both become Lua
//     numbers; arrays become sequences, objects keyed tables, null nil), and an empty global
//     table `actionParams`;
//   - a one-second deadline on the run;
//   - the answer (the value on top of the stack) encoded to JSON by gopher-json and read into
//     {status, message} with Argo CD's fallbacks: nil or a table that does not fit gives an
//     empty health, a status outside Argo CD's six gives Unknown "Lua returned an invalid health
//     status", any other type is an error.
//
// The bodies of os.time and os.date are ours (Lua 5.1 manual semantics, a C-like strftime), not
// Argo CD's: a script that formats dates may see other text there. Which names exist, and how a
// script reaches them, is Argo CD's.
//
// Usage:
//
//	argocd-lua SCRIPT < OBJECT.json
//	  prints one JSON line on stdout, exit status 0:
//	  {"ok":true,"returned":<the script's answer as gopher-json encodes it>,"health":{"status":"...","message":"..."}}
//	  {"ok":false,"error":"..."}  (the script did not load, failed, ran out of time, or answered no table)
//	argocd-lua -version
//	  prints {"gopher-lua":"v1.1.2","gopher-json":"v0.0.0-..."} from the build information.
//
// Exit status 2 means it was used wrongly (arguments, unreadable script or object). What the
// script prints goes to stderr, so stdout carries only the answer.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

// health is what Argo CD reads from the script's answer (gitops-engine pkg/health HealthStatus).
type health struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

type answer struct {
	OK       bool            `json:"ok"`
	Returned json.RawMessage `json:"returned,omitempty"`
	Health   *health         `json:"health,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// The health codes Argo CD accepts from a script (util/lua/lua.go isValidHealthStatusCode).
var validStatus = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	result := os.Stdout
	// gopher-lua's print writes to os.Stdout; send it to stderr so stdout stays one JSON line.
	os.Stdout = os.Stderr

	if len(os.Args) == 2 && os.Args[1] == "-version" {
		writeJSON(result, moduleVersions())
		return
	}
	if len(os.Args) != 2 {
		usage("expected one argument, the script path")
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		usage(err.Error())
	}
	object, err := readObject(os.Stdin)
	if err != nil {
		usage("reading the object from stdin: " + err.Error())
	}
	writeJSON(result, run(string(script), object))
}

func usage(why string) {
	fmt.Fprintf(os.Stderr, "argocd-lua: %s\nusage: argocd-lua SCRIPT < OBJECT.json | argocd-lua -version\n", why)
	os.Exit(2)
}

func writeJSON(out io.Writer, value any) {
	line, err := json.Marshal(value)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argocd-lua: encoding the answer: %v\n", err)
		os.Exit(2)
	}
	fmt.Fprintf(out, "%s\n", line)
}

func moduleVersions() map[string]string {
	versions := map[string]string{}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versions
	}
	for _, dep := range info.Deps {
		switch dep.Path {
		case "github.com/yuin/gopher-lua":
			versions["gopher-lua"] = dep.Version
		case "layeh.com/gopher-json":
			versions["gopher-json"] = dep.Version
		}
	}
	return versions
}

// readObject decodes JSON the way Kubernetes fills an unstructured object: a number without a
// fraction or exponent that fits is int64, any other number float64.
func readObject(in io.Reader) (map[string]any, error) {
	decoder := json.NewDecoder(in)
	decoder.UseNumber()
	var raw map[string]any
	if err := decoder.Decode(&raw); err != nil {
		return nil, err
	}
	converted, err := numbers(raw)
	if err != nil {
		return nil, err
	}
	return converted.(map[string]any), nil
}

func numbers(value any) (any, error) {
	switch v := value.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i, nil
		}
		return strconv.ParseFloat(string(v), 64)
	case []any:
		for i := range v {
			converted, err := numbers(v[i])
			if err != nil {
				return nil, err
			}
			v[i] = converted
		}
	case map[string]any:
		for key := range v {
			converted, err := numbers(v[key])
			if err != nil {
				return nil, err
			}
			v[key] = converted
		}
	}
	return value, nil
}

func run(script string, object map[string]any) answer {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOsAsArgoCdDoes},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return answer{Error: "opening " + lib.name + ": " + err.Error()}
		}
	}
	l.PreloadModule(lua.OsLibName, loadSafeOs)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)

	l.SetGlobal("actionParams", l.CreateTable(0, 0))
	l.SetGlobal("obj", toLua(l, object))

	fn, err := l.LoadString(script)
	if err == nil {
		l.Push(fn)
		err = l.PCall(0, lua.MultRet, nil)
	}
	if err != nil {
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) && apiErr.Type == lua.ApiErrorRun {
			// Argo CD drops the Lua stack trace from run errors before showing them.
			apiErr.StackTrace = ""
		}
		return answer{Error: err.Error()}
	}
	return readAnswer(l.Get(-1))
}

func readAnswer(value lua.LValue) answer {
	switch value.Type() {
	case lua.LTNil:
		return answer{OK: true, Returned: json.RawMessage("null"), Health: &health{}}
	case lua.LTTable:
		encoded, err := luajson.Encode(value)
		if err != nil {
			return answer{Error: err.Error()}
		}
		var read health
		if err := json.Unmarshal(encoded, &read); err != nil {
			var typeError *json.UnmarshalTypeError
			if errors.As(err, &typeError) {
				return answer{OK: true, Returned: encoded, Health: &health{}}
			}
			return answer{Error: err.Error()}
		}
		if !validStatus[read.Status] {
			read = health{Status: "Unknown", Message: "Lua returned an invalid health status"}
		}
		return answer{OK: true, Returned: encoded, Health: &read}
	default:
		return answer{Error: fmt.Sprintf("expect table output from Lua script, not %s", value.Type().String())}
	}
}

// toLua converts a decoded object as Argo CD's decodeValue does; anything else becomes nil.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		sequence := l.CreateTable(len(v), 0)
		for _, item := range v {
			sequence.Append(toLua(l, item))
		}
		return sequence
	case map[string]any:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}

var safeOsFunctions = map[string]lua.LGFunction{"time": osTime, "date": osDate}

// openSafeOsAsArgoCdDoes is called where Argo CD calls its OpenSafeOs, and makes the same call:
// RegisterModule under the table library's name. The table module is loaded by then, so
// gopher-lua returns it unchanged and no `os` global appears.
func openSafeOsAsArgoCdDoes(l *lua.LState) int {
	l.Push(l.RegisterModule(lua.TabLibName, safeOsFunctions))
	return 1
}

// loadSafeOs answers require("os").
func loadSafeOs(l *lua.LState) int {
	l.Push(l.SetFuncs(l.NewTable(), safeOsFunctions))
	return 1
}

// os.time([table]): now, or the local time the table's fields name (hour defaults to 12).
func osTime(l *lua.LState) int {
	if l.GetTop() == 0 {
		l.Push(lua.LNumber(time.Now().Unix()))
		return 1
	}
	fields := l.CheckTable(1)
	field := func(name string, fallback int) int {
		if n, ok := fields.RawGetString(name).(lua.LNumber); ok {
			return int(n)
		}
		return fallback
	}
	at := time.Date(field("year", -1), time.Month(field("month", -1)), field("day", -1),
		field("hour", 12), field("min", 0), field("sec", 0), 0, time.Local)
	l.Push(lua.LNumber(at.Unix()))
	return 1
}

// os.date([format [, time]]): "!" first means UTC, "*t" a table, otherwise strftime-like text.
func osDate(l *lua.LState) int {
	format := "%c"
	at := time.Now()
	if l.GetTop() >= 1 {
		format = l.CheckString(1)
	}
	if l.GetTop() >= 2 {
		at = time.Unix(l.CheckInt64(2), 0)
	}
	if strings.HasPrefix(format, "!") {
		at = at.UTC()
		format = format[1:]
	}
	if strings.HasPrefix(format, "*t") {
		fields := l.NewTable()
		for name, value := range map[string]int{
			"year": at.Year(), "month": int(at.Month()), "day": at.Day(), "hour": at.Hour(),
			"min": at.Minute(), "sec": at.Second(), "wday": int(at.Weekday()) + 1, "yday": at.YearDay(),
		} {
			fields.RawSetString(name, lua.LNumber(value))
		}
		fields.RawSetString("isdst", lua.LFalse)
		l.Push(fields)
		return 1
	}
	l.Push(lua.LString(strftime(at, format)))
	return 1
}

var strftimeLayouts = map[byte]string{
	'a': "Mon", 'A': "Monday", 'b': "Jan", 'B': "January", 'c': "Mon Jan  2 15:04:05 2006",
	'd': "02", 'H': "15", 'I': "03", 'm': "01", 'M': "04", 'p': "PM", 'S': "05",
	'x': "01/02/06", 'X': "15:04:05", 'y': "06", 'Y': "2006", 'Z': "MST", 'z': "-0700",
}

func strftime(at time.Time, format string) string {
	var out bytes.Buffer
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			out.WriteByte(format[i])
			continue
		}
		i++
		switch c := format[i]; c {
		case '%':
			out.WriteByte('%')
		case 'j':
			fmt.Fprintf(&out, "%03d", at.YearDay())
		case 'w':
			fmt.Fprintf(&out, "%d", int(at.Weekday()))
		default:
			if layout, ok := strftimeLayouts[c]; ok {
				out.WriteString(at.Format(layout))
			} else {
				out.WriteByte('%')
				out.WriteByte(c)
			}
		}
	}
	return out.String()
}
