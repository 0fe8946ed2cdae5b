"""Every visible string, Korean first with English beside it; `t(key)` picks the session's language."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from core.errors import MESSAGES, AttentionLabError
from ui.error_strings import ERRORS_KO

_log = logging.getLogger(__name__)
MISSING: set[str] = set()  # keys t() was asked for but STRINGS lacks, since the process started

EXAMPLES = [
    "친구가 내 생일을 잊어버려서 너무 서운해.",
    "드디어 원하던 회사에 합격해서 정말 기뻐!",
    "팀장님이 회의 시간에 나한테만 화를 내서 너무 화가 나.",
    "다음 주 건강검진 결과가 나오는데 걱정돼서 잠이 안 와.",
    "사람들 앞에서 발표하다가 말이 꼬여서 너무 당황스러웠어.",
    "키우던 강아지가 하늘나라로 가서 눈물이 멈추지 않아.",
]

STRINGS: dict[str, tuple[str, str]] = {
    # Navigation and sidebar
    "page.data": ("데이터", "Data"),
    "page.tokenizer": ("토크나이저", "Tokenizer"),
    "page.train": ("학습", "Train"),
    "page.predict": ("예측", "Predict"),
    "page.evaluate": ("평가", "Evaluate"),
    "page.inside": ("모델 속 들여다보기", "Inside the model"),
    "page.model": ("모델 저장·불러오기", "Model"),
    "page.reply": ("답장 생성", "Reply generation"),
    "side.data": ("데이터: {name} · {rows}문장 · {task}", "Data: {name} · {rows} sentences · {task}"),
    "side.no_data": ("데이터: 없음", "Data: none"),
    "side.tokenizer": ("토크나이저: 어휘 {vocab}", "Tokenizer: vocabulary {vocab}"),
    "side.no_tokenizer": ("토크나이저: 학습 시 자동 생성", "Tokenizer: made when training"),
    "side.model": ("모델: {name}", "Model: {name}"),
    "side.no_model": ("모델: 아직 없음", "Model: none yet"),
    "side.training": ("학습 진행 중… (보기)", "Training in progress… (watch)"),
    "side.refresh": ("작업 공간은 이 서버에 저장되어, 새로고침·새 탭·서버 재시작 뒤에도 이 주소(?w=…)로 돌아옵니다. "
                     "주소는 열쇠이니 남에게 주지 말고, 설정은 아래 '설정 링크'로 나누세요.",
                     "Your workspace is kept on this server: a refresh, a new tab or a server restart brings it back "
                     "at this address (?w=…). The address is its key: don't share it; share the settings link below "
                     "instead."),
    "unexpected": ("예기치 못한 오류가 났습니다 (오류 번호 {id}). 다시 해 보고, 계속되면 이 번호를 선생님께 알려 주세요.",
                   "Something went wrong (error {id}). Try again; if it keeps happening, tell the teacher this number."),
    "side.download": ("모델 내려받기", "Download the model"),
    # Shared
    "needs_model": ("이 페이지에는 학습된 모델이 필요합니다. 학습 페이지에서 모델을 학습하거나, 저장해 둔 모델을 불러오세요.",
                    "This page needs a trained model. Train one on the Train page, or upload a saved bundle."),
    "needs_data": ("먼저 데이터를 불러오세요.", "Load a corpus first."),
    "go_train": ("학습 페이지로 가기", "Go to Train"),
    "go_model_upload": ("저장한 모델 불러오기", "Upload a saved model"),
    "go_data": ("데이터 페이지로 가기", "Go to Data"),
    "pooling.attention": ("어텐션", "attention"),
    "pooling.mean": ("평균 풀링", "mean pooling"),
    "pooling.last": ("마지막 상태", "last state"),
    "pooling_weights_note": ("이 모델은 {pooling}을 씁니다. 표시된 가중치는 학습된 어텐션이 아니라 "
                             "풀링이 정한 고정 가중치입니다.",
                             "This model uses {pooling}: the weights shown are the pooling's fixed weights, "
                             "not learned attention."),
    "task.emotion6": ("감정 6분류", "6 emotions"),
    "task.binary": ("긍정/부정 2분류", "positive / negative"),
    "task.emotion58": ("감정 소분류 58개", "58 minor emotions"),
    "text.first": ("사람문장1만", "사람문장1 only"),
    "text.all": ("사람 발화 전체 (이어 붙임)", "all human turns (joined)"),
    # the Data page names the turns the loaded file really has (core.corpus.data.Corpus.turns)
    "text.all_turns": ("사람 발화 전체 (사람문장1–{last} 이어 붙임)", "all human turns (사람문장1–{last} joined)"),
    "text.all_one": ("사람 발화 전체 (이 파일은 사람문장1뿐)", "all human turns (this file has 사람문장1 only)"),
    "text.turns": ("사람 발화 각각 (턴마다 한 예제, 대화 단위로 분할)",
                   "each human turn (one example per turn, split by dialogue)"),
    "release.old": ("이전 배포판 (15열)", "old release (15 columns)"),
    "release.new": ("신규 배포판 (221115)", "new release (221115)"),
    "release.wave": ("평가용 Wave 대본 (기계문장)", "Wave scripts (기계문장)"),
    "release.generic": ("일반 형식 (사람문장k 열)", "generic layout (사람문장k columns)"),
    "sentences": ("문장 수", "sentences"),
    "count": ("빈도", "count"),
    "median": ("중앙값", "median"),
    "weight": ("가중치", "weight"),
    "epoch": ("에폭", "epoch"),
    "loss": ("손실 (loss)", "loss"),
    "accuracy": ("정확도", "accuracy"),
    "train_curve": ("학습", "training"),
    "val_curve": ("검증", "validation"),
    "eta": ("남은 시간 {eta}", "ETA {eta}"),
    "rate": ("{rate}문장/초", "{rate} sentences/s"),
    "run_of": ("실행 {index}/{count} ({pooling})", "run {index}/{count} ({pooling})"),
    "epoch_of": ("에폭 {epoch}/{epochs}", "epoch {epoch}/{epochs}"),
    "preparing": ("준비 중… (토크나이저 학습과 인코딩)", "Preparing… (tokenizer and encoding)"),
    "done_line": ("끝남 · {prefix} · {rate}문장/초 · {time}", "Finished · {prefix} · {rate} sentences/s · {time}"),
    "stopped_line": ("중지됨 · {prefix} · {rate}문장/초 · {time}", "Stopped · {prefix} · {rate} sentences/s · {time}"),
    "failed_line": ("실패 · {prefix} · {time}", "Failed · {prefix} · {time}"),
    "baseline": ("기준선 (문자 n-gram + 선형 모델)", "baseline (char n-grams + linear)"),
    "baseline_note": ("기준선은 같은 학습 분할로 몇 초 만에 학습한 문자 n-gram TF-IDF + 선형 SVM입니다. 신경망이 "
                      "이를 넘지 못하면, 어떤 글자 조합이 어떤 감정과 함께 나오는지 이상은 배우지 못한 것입니다.",
                      "The baseline is a character n-gram TF-IDF + linear SVM fitted on the same training split in "
                      "seconds. A neural model that does not beat it has learned no more than which character "
                      "sequences go with which emotion."),
    "overfitting": ("과적합: 학습 손실은 줄지만 검증 손실이 2 에폭 연속 올랐습니다. 에폭을 줄이거나(조기 종료), 드롭아웃을 "
                    "높이거나, 어휘를 줄이거나, 데이터를 늘리세요(데이터 페이지의 ‘사람 발화 각각’).",
                    "Overfitting: training loss falls while validation loss rose two epochs in a row. Use fewer epochs "
                    "(early stopping), more dropout, a smaller vocabulary or more data ('each human turn' on the Data "
                    "page)."),
    "jobs.local_fallback": ("Ray 클러스터에 연결할 수 없어 학습은 이 서버에서 합니다.",
                            "The Ray cluster could not be reached: jobs run on this server."),
    "other_job": ("이 세션에서 다른 학습({name})이 진행 중입니다.", "Another training ({name}) is running in this session."),
    "stop": ("중지", "Stop"),
    "queue.position": ("다른 학습이 끝나기를 기다리는 중입니다 (앞에 {ahead}개). ",
                       "Waiting for other trainings to finish ({ahead} ahead of this one). "),
    "queue.wait": ("예상 대기 {time}.", "Estimated wait {time}."),
    "queue.cancelled": ("대기 중이던 학습을 취소했습니다.", "The queued training was cancelled."),
    "stopping": ("현재 배치가 끝나면 멈춥니다.", "Stopping after the current batch."),
    "stopped_note": ("학습을 중지했습니다. 끝난 에폭 중 가장 좋은 가중치를 남깁니다.",
                     "Training was stopped; the best finished epoch's weights are kept."),
    "stopped_empty": ("학습을 중지했습니다. 끝난 에폭이 없어 남긴 모델은 없습니다.",
                      "Training was stopped before its first epoch ended, so no model was kept."),
    "failed": ("실패했습니다.", "Failed."),
    # Data
    "data.title": ("데이터", "Data"),
    "data.intro": ("AIHUB 감성 대화 말뭉치(엑셀 또는 CSV, 두 배포판 모두)를 올리거나 내장 샘플을 쓰세요. "
                   "처음에는 샘플이 불러와져 있습니다.",
                   "Upload the AIHUB emotional dialogue corpus (xlsx or CSV, either release) or use the bundled "
                   "sample, which is loaded to start with."),
    "data.upload": ("말뭉치 파일 올리기 (.xlsx, .csv, .tsv, .json)", "Upload a corpus (.xlsx, .csv, .tsv, .json)"),
    "data.upload_help": ("필수 열: 감정_대분류, 사람문장1. 템플릿을 내려받아 형식을 확인하세요.",
                         "Required columns: 감정_대분류, 사람문장1. Download the template to see the layout."),
    "data.template": ("템플릿 내려받기 (.xlsx)", "Download the template (.xlsx)"),
    "data.use_sample": ("샘플 말뭉치 사용", "Use the sample corpus"),
    "data.reading": ("{name} 읽는 중…", "Reading {name}…"),
    "data.upload_failed": ("파일을 읽지 못해 이전 데이터를 그대로 씁니다. {message}",
                           "The file could not be read; the previous data is kept. {message}"),
    "data.sample_missing": ("내장 샘플 파일이 없습니다. 말뭉치 파일을 올려 주세요.",
                            "The bundled sample is missing; upload a corpus."),
    "data.task": ("과제", "Task"),
    "data.text": ("입력 문장", "Text"),
    "data.text_help": ("사람 발화 전체: 예측은 이어 붙인 대화로 하고, 학습 때는 각 발화도 대화의 감정을 라벨로 한 예제씩 "
                       "더 씁니다 (검증은 이어 붙인 대화만).",
                       "All human turns: predictions read the joined dialogue; training also uses each turn alone, "
                       "labelled with its dialogue's emotion (validation reads joined dialogues only)."),
    "data.binary_note": ("2분류는 기쁨→긍정, 나머지 다섯 감정(당황·분노·불안·상처·슬픔)→부정으로 나눕니다. "
                         "긍정:부정이 약 1:5로 불균형하니 정확도보다 macro-F1을 보세요.",
                         "Binary maps 기쁨 (joy) → 긍정 (positive) and the other five emotions → 부정 (negative): about 1:5, "
                         "so watch macro-F1 rather than accuracy."),
    "data.binary_ratio": ("이 데이터의 긍정 : 부정 = {ratio}", "Positive : negative in this data = {ratio}"),
    "data.kept_previous": ("이전 설정의 데이터셋을 그대로 씁니다.", "The previous dataset is kept."),
    "data.loaded": ("불러온 데이터: {name}", "Loaded: {name}"),
    "data.release": ("형식: {release} · 시트: {sheet} · 사람 발화 {turns}턴", "Format: {release} · sheet: {sheet} · "
                     "{turns} human turns"),
    "data.rows_read": ("읽은 행", "Rows read"),
    "data.dropped_empty": ("빈 문장 제외", "Empty text dropped"),
    "data.dropped_label": ("라벨 없음 제외", "Missing label dropped"),
    "data.duplicates": ("중복 제거", "Duplicates removed"),
    "data.rows_used": ("사용 문장", "Sentences used"),
    "data.capped": ("행이 너무 많아 {rows}행은 읽지 않았습니다.", "The file is too long: {rows} rows were not read."),
    "data.cut": ("너무 긴 문장 {cells}개는 잘라서 썼습니다.", "{cells} over-long cells were cut."),
    "data.distribution": ("클래스 분포", "Class distribution"),
    "data.lengths": ("문장 길이", "Sentence length"),
    "data.preview": ("미리보기", "Preview"),
    "data.chars": ("문장 길이 (글자 수)", "length (characters)"),
    "data.preview_note": ("처음 200행 (전체 {rows}행)", "First 200 of {rows} rows"),
    # Tokenizer
    "tok.title": ("토크나이저 (SentencePiece BPE)", "Tokenizer (SentencePiece BPE)"),
    "tok.intro": ("현재 데이터의 학습용 분할(학습 페이지가 학습하는 행)로 BPE 토크나이저를 학습합니다. 라벨은 쓰지 "
                  "않습니다. 여기서 학습하지 않으면 학습 페이지가 똑같은 것을 직접 만듭니다.",
                  "Train a BPE tokenizer on the training split of the current data (the rows the Train page "
                  "trains on; no labels are used). If you skip this, the Train page makes the same one itself."),
    "tok.vocab": ("어휘 크기", "Vocabulary size"),
    "tok.vocab_help": ("말뭉치가 채울 수 없는 크기는 가능한 최대로 줄이고, 필요한 글자 수보다 작으면 그만큼 늘립니다.",
                       "A size the corpus can't fill is lowered to the largest possible; one below the characters "
                       "the corpus needs is raised to them."),
    "tok.vocab_auto": ("어휘 크기 자동", "Automatic vocabulary size"),
    "tok.vocab_auto_help": ("말뭉치의 모든 글자에, 문장 수에 비례한 병합을 더합니다. 실제 AIHUB 데이터에서 4,000보다 "
                            "잘 일반화했습니다.",
                            "Every character of the corpus plus merges in proportion to its sentences; on real "
                            "AIHUB data it generalised better than 4,000."),
    "tok.sampling": ("BPE 드롭아웃 (학습 중)", "BPE-dropout (while training)"),
    "tok.sampling_help": ("학습 때마다 병합을 이 확률로 건너뛰어 같은 문장을 다르게 나눕니다(부분 단어 정규화). "
                          "예측과 평가에는 쓰지 않습니다.",
                          "While training, each merge is skipped with this probability, so one sentence is split "
                          "differently each epoch (subword regularisation). Never used for prediction or evaluation."),
    "tok.coverage": ("문자 커버리지", "Character coverage"),
    "tok.coverage_help": ("1.0이면 본 모든 한글 음절을 어휘에 남깁니다. 낮추면 드문 글자는 <unk>가 됩니다.",
                          "1.0 keeps every Hangul syllable seen; lower values turn rare characters into <unk>."),
    "tok.train": ("토크나이저 학습", "Train tokenizer"),
    "tok.training": ("{n}문장으로 학습 중…", "Training on {n} sentences…"),
    "tok.measuring": ("통계 계산 중…", "Measuring…"),
    "tok.trained": ("학습 완료 ({seconds}초)", "Trained in {seconds} s"),
    "tok.not_trained": ("아직 토크나이저가 없습니다. 위에서 학습하세요.", "No tokenizer yet: train one above."),
    "tok.clamped": ("어휘 크기 {asked}을(를) 이 말뭉치에 맞게 {got}(으)로 바꿨습니다 (채울 수 없거나, 필요한 글자보다 적음).",
                    "The vocabulary was changed from {asked} to {got} pieces to fit this corpus (it could not "
                    "fill it, or it had fewer pieces than the characters needed)."),
    "tok.vocab_size": ("어휘 크기", "Vocabulary"),
    "tok.seconds": ("학습 시간", "Training time"),
    "tok.sentences_used": ("{n}문장", "{n} sentences"),
    "tok.mean_tokens": ("문장당 평균 토큰", "Mean tokens / sentence"),
    "tok.p95_tokens": ("95% 문장의 토큰 수 이하", "95th percentile tokens"),
    "tok.unknown": ("<unk> 비율", "Unknown rate"),
    "tok.unknown_help": ("토큰 중 <unk>(어휘에 없는 문자)의 비율", "Share of tokens that are <unk>"),
    "tok.try": ("문장을 조각으로 나눠 보기", "Split a sentence"),
    "tok.sentence": ("문장", "Sentence"),
    "tok.split": ("나누기", "Split"),
    "tok.pieces_note": ("조각 {n}개 · ▁ 는 단어(띄어쓰기)의 시작, ␣ 는 띄어쓰기만 담은 조각입니다. 색은 단어별로 바뀝니다.",
                        "{n} pieces · ▁ marks the start of a word, ␣ a piece that is only the space before one; "
                        "colours change per word."),
    "tok.vocab_auto_value": ("자동", "auto"),
    "tok.frequent": ("가장 자주 나오는 조각 30개", "The 30 most frequent pieces"),
    "tok.lengths": ("문장당 토큰 수", "Tokens per sentence"),
    "tok.tokens": ("토큰 수", "tokens"),
    # Train
    "train.title": ("학습", "Train"),
    "train.intro": ("BiLSTM + 어텐션 분류기를 학습합니다. 학습은 백그라운드에서 돌고, 그동안 다른 페이지도 쓸 수 있습니다.",
                    "Train the BiLSTM + attention classifier. Training runs in the background; the rest of the app "
                    "stays usable."),
    "train.pooling": ("풀링", "Pooling"),
    "train.pooling_help": ("어텐션: 학습된 가중치 a_t로 합침 · 평균: 모든 토큰 같은 가중치 · 마지막 상태: 양방향 끝 상태",
                           "attention: learned weights a_t · mean: equal weights · last: the two final states"),
    "train.emb": ("임베딩 차원 E", "Embedding E"),
    "train.pretraining": ("사전학습 (이 파일의 모든 발화와 답장으로 다음 조각 맞히기)",
                          "Pretraining (predicting the next piece of every turn and reply in this file)"),
    "train.pretrained": ("사전학습 {epochs} 에포크 (다음 조각 정확도 {acc}, {time}): 그 인코더에서 분류를 학습합니다.",
                         "Pretrained for {epochs} epoch(s) (next-piece accuracy {acc}, {time}): the classifier "
                         "trains from that encoder."),
    "train.pretrain_skipped": ("사전학습은 건너뛰었습니다: 학습 대화가 {dialogues}개로 {minimum}개보다 적습니다 "
                               "(작은 데이터에서는 오히려 정확도를 낮췄습니다).",
                               "Pretraining skipped: {dialogues} training dialogues, fewer than {minimum} (on small "
                               "data it lowered accuracy)."),
    "train.hidden": ("은닉 차원 H", "Hidden H"),
    "train.hidden_help": ("한 방향의 크기; BiLSTM 출력은 2H", "Per direction; the BiLSTM emits 2H"),
    "train.layers": ("LSTM 층", "LSTM layers"),
    "train.dropout": ("드롭아웃", "Dropout"),
    "train.lr": ("학습률", "Learning rate"),
    "train.batch": ("배치 크기", "Batch size"),
    "train.epochs": ("에폭", "Epochs"),
    "train.seed": ("시드", "Seed"),
    "train.patience": ("조기 종료 (에폭)", "Early stopping (epochs)"),
    "train.patience_help": ("검증 성능이 이만큼의 에폭 동안 나아지지 않으면 멈춥니다. 0이면 끝까지 학습합니다. "
                            "이렇게 멈춘 학습은 가장 좋은 에폭의 가중치를 남기고, 끝까지 학습하면 마지막 에폭들(최대 {k}개, "
                            "첫 에폭 제외) 가중치의 평균을 남깁니다(다른 출처의 대화에서 더 잘 맞았습니다).",
                            "Stop when validation has not improved for this many epochs (0: never). A run stopped this "
                            "way keeps its best epoch's weights; a run that trains every epoch keeps the mean of its "
                            "last epochs' weights (up to {k}, never the first: it did better on another source's "
                            "dialogues)."),
    "train.schedule": ("학습률 스케줄", "Learning-rate schedule"),
    "train.schedule_help": ("코사인: 처음 5% 동안 서서히 올린 뒤 0까지 코사인으로 줄입니다.",
                            "Cosine: a linear warm-up over the first 5% of steps, then a cosine decay to 0."),
    "schedule.constant": ("고정", "constant"),
    "schedule.cosine": ("코사인", "cosine"),
    "train.val_share": ("검증 비율", "Validation share"),
    "train.uses_tokenizer": ("토크나이저 페이지에서 학습한 토크나이저(어휘 {vocab})를 씁니다.",
                             "Uses the tokenizer from the Tokenizer page (vocabulary {vocab})."),
    "train.trains_tokenizer": ("토크나이저가 없어 학습용 분할로 어휘 {vocab}짜리를 먼저 만듭니다.",
                               "No tokenizer yet: one with {vocab} pieces is trained on the training split first."),
    "train.trains_tokenizer_auto": ("토크나이저가 없어 학습용 분할로 어휘 크기를 자동으로 정해 먼저 만듭니다.",
                                    "No tokenizer yet: one with an automatic vocabulary size is trained on the "
                                    "training split first."),
    "train.start": ("학습 시작", "Start"),
    "train.sweep": ("세 풀링 비교 (어텐션·평균·마지막)", "Compare the three poolings"),
    "train.sweep_help": ("같은 설정으로 어텐션, 평균 풀링, 마지막 상태를 차례로 학습해 기록에 추가합니다.",
                         "Train attention, mean pooling and last state in turn with these settings."),
    "train.busy": ("이미 학습이 진행 중입니다. 끝나거나 중지한 뒤에 다시 시작하세요.",
                   "A training is already running in this session; stop it or wait for it to finish."),
    "train.history": ("실행 기록 (이 작업 공간)", "Runs in this workspace"),
    "train.no_runs": ("아직 끝난 실행이 없습니다.", "No finished runs yet."),
    "train.run": ("실행", "Run"),
    "train.best_acc": ("검증 정확도", "Val accuracy"),
    "train.kept": ("남긴 가중치", "Weights kept"),
    "train.kept_mean": ("에폭 {first}–{last} 평균", "mean of epochs {first}–{last}"),
    "train.kept_best": ("에폭 {epoch}", "epoch {epoch}"),
    "train.task": ("과제", "Task"),
    "train.time": ("시간", "Time"),
    "train.stopped": ("중지됨", "Stopped"),
    "train.compare": ("겹쳐 볼 실행", "Runs to overlay"),
    "train.compare_help": ("둘 이상 고르면 검증 곡선을 겹쳐 봅니다.", "Pick two or more to overlay their validation curves."),
    "train.val_acc": ("검증 정확도", "Validation accuracy"),
    "train.val_loss": ("검증 손실", "Validation loss"),
    "train.active": ("예측·평가에 쓸 모델", "Model used by Predict and Evaluate"),
    "train.use": ("이 모델 사용", "Use this model"),
    # Predict
    "predict.title": ("예측", "Predict"),
    "predict.intro": ("한 줄에 한 문장씩 입력하고 '예측'을 누르세요. 색이 진할수록 어텐션 가중치가 큽니다.",
                      "Type one sentence per line and press Predict. Darker pieces got more attention."),
    "predict.examples": ("예문 (누르면 입력창에 들어갑니다)", "Examples (click to fill the box)"),
    "predict.input": ("문장 (한 줄에 하나)", "Sentences (one per line)"),
    "predict.input_help": ("입력 중에는 예측하지 않으므로 한글 조합이 끊기지 않습니다.",
                           "Nothing runs while you type, so Hangul composition is never cut."),
    "predict.run": ("예측", "Predict"),
    "predict.empty": ("문장을 입력하세요.", "Type a sentence."),
    "predict.capped": ("처음 {n}문장만 예측합니다.", "Only the first {n} sentences are predicted."),
    "predict.chart_view": ("히트맵 차트로도 보기", "Also show a heatmap chart"),
    "predict.model": ("모델: {name} ({pooling})", "Model: {name} ({pooling})"),
    "predict.label": ("예측 감정", "Predicted"),
    "predict.attention": ("어텐션 가중치", "Attention weights"),
    "predict.hover": ("조각 위에 마우스를 올리면 정확한 가중치가 보입니다.", "Hover a piece to see its exact weight."),
    # Evaluate
    "eval.title": ("평가", "Evaluate"),
    "eval.intro": ("검증 분할이나 라벨이 있는 파일로 모델을 채점하고, 틀린 문장을 살펴봅니다.",
                   "Score the model on its validation split or a labelled file, and browse its mistakes."),
    "eval.source": ("평가 데이터", "Evaluate on"),
    "eval.source.validation": ("검증 분할", "Validation split"),
    "eval.source.file": ("파일 올리기", "An uploaded file"),
    "eval.val_count": ("{name}의 검증 문장 {n}개", "{n} validation sentences of {name}"),
    "eval.no_val": ("불러온 모델에는 검증 분할이 없습니다. 파일을 올려 평가하세요.",
                    "An uploaded model has no validation split; evaluate on a file."),
    "eval.upload": ("평가용 말뭉치 (.xlsx, .csv, .tsv, .json)", "Corpus to evaluate on (.xlsx, .csv, .tsv, .json)"),
    "eval.upload_note": ("모델과 같은 설정({task}, {text})으로 읽고, 모델이 모르는 라벨은 건너뜁니다.",
                         "Read with the model's settings ({task}, {text}); labels the model doesn't know are skipped."),
    "eval.run": ("평가", "Evaluate"),
    "eval.running": ("평가 중…", "Evaluating…"),
    "eval.running_pct": ("평가 중… {pct}", "Evaluating… {pct}"),
    "eval.results": ("결과: {name}", "Results: {name}"),
    "eval.skipped": ("모델이 모르는 라벨이라 건너뛴 행: {labels}", "Rows skipped for labels the model doesn't know: {labels}"),
    "eval.n": ("문장 수", "Sentences"),
    "eval.vs_baseline": ("{delta} (기준선 대비)", "{delta} vs baseline"),  # the sign first: st.metric reads it for the arrow
    "eval.baseline_accuracy": ("기준선 정확도", "Baseline accuracy"),
    "eval.baseline_macro_f1": ("기준선 macro-F1", "Baseline macro-F1"),
    "eval.accuracy": ("정확도", "Accuracy"),
    "eval.macro_f1": ("macro-F1", "Macro-F1"),
    "eval.wrong": ("틀린 문장", "Misclassified"),
    "eval.class": ("클래스", "Class"),
    "eval.precision": ("정밀도", "Precision"),
    "eval.recall": ("재현율", "Recall"),
    "eval.support": ("문장 수", "Support"),
    "eval.predicted": ("예측", "predicted"),
    "eval.true": ("정답", "true"),
    "eval.mistakes": ("틀린 문장 살펴보기", "Misclassified sentences"),
    "eval.all": ("전체", "all"),
    "eval.page": ("페이지 (총 {pages})", "Page (of {pages})"),
    "eval.shown": ("조건에 맞는 문장 {n}개", "{n} sentences match"),
    "eval.row": ("정답 **{true}** → 예측 **{predicted}** ({confidence})",
                 "true **{true}** → predicted **{predicted}** ({confidence})"),
    # Inside
    "inside.title": ("모델 속 들여다보기", "Inside the model"),
    "inside.intro": ("한 문장이 각 층을 지나며 어떤 모양의 텐서가 되는지, 실제 숫자로 따라갑니다. "
                     "노트북이 출력하던 값을 그림으로 보여 줍니다.",
                     "Follow one sentence through every layer with the real tensor shapes and numbers: "
                     "what the notebook printed, made visual."),
    "inside.input": ("문장", "Sentence"),
    "inside.run": ("따라가 보기", "Walk through"),
    "inside.flow": ("층별 텐서 모양", "Tensor shapes, layer by layer"),
    "inside.dims": ("T={T} 토큰 · E={E} · H={H} (양방향 2H={H2}) · A={A} · F={F} · C={C} 클래스",
                    "T={T} tokens · E={E} · H={H} (both directions 2H={H2}) · A={A} · F={F} · C={C} classes"),
    "inside.formulas": ("바다나우(additive) 어텐션", "Bahdanau (additive) attention"),
    "inside.ids": ("토큰 id: {ids}", "Token ids: {ids}"),
    "inside.dimension": ("차원", "dimension"),
    "inside.sum": ("가중치 합 = {total}", "Sum of weights = {total}"),
    "inside.result": ("예측: {label} ({p})", "Prediction: {label} ({p})"),
    "inside.stage.tokens": ("BPE 조각", "BPE pieces"),
    "inside.stage.embedding": ("임베딩", "Embedding"),
    "inside.stage.states": ("BiLSTM 은닉 상태 h", "BiLSTM states h"),
    "inside.stage.u": ("u = tanh(W_att h)", "u = tanh(W_att h)"),
    "inside.stage.scores": ("점수 W_c u", "Scores W_c u"),
    "inside.stage.weights": ("어텐션 가중치 a", "Attention weights a"),
    "inside.stage.context": ("문맥 벡터 c", "Context vector c"),
    "inside.stage.hidden": ("LayerNorm → fc1 → ReLU", "LayerNorm → fc1 → ReLU"),
    "inside.stage.logits": ("로짓 (fc2)", "Logits (fc2)"),
    "inside.stage.probabilities": ("확률 (softmax)", "Probabilities (softmax)"),
    "inside.short.ids": ("토큰 id", "token ids"),
    "inside.short.embedding": ("임베딩", "embedding"),
    "inside.short.states": ("BiLSTM", "BiLSTM"),
    "inside.short.u": ("u", "u"),
    "inside.short.scores": ("점수", "scores"),
    "inside.short.weights": ("a", "a"),
    "inside.short.context": ("문맥 c", "context c"),
    "inside.short.hidden": ("fc1", "fc1"),
    "inside.short.logits": ("로짓", "logits"),
    "inside.short.probabilities": ("확률", "probs"),
    "inside.about.embedding": ("토큰 id마다 학습된 E차원 벡터. 행 = 토큰, 열 = 차원.",
                               "A learned E-dimensional vector per token id. Rows = tokens, columns = dimensions."),
    "inside.about.states": ("앞 방향 H개와 뒤 방향 H개를 이어 붙인 h_t: 문맥을 담은 토큰 표현.",
                            "h_t joins the forward and backward H-dimensional states: each token in context."),
    "inside.about.u": ("각 h_t를 A차원으로 보내 tanh를 씌운 값.", "Each h_t projected to A dimensions through tanh."),
    "inside.about.scores": ("u_t를 W_c로 한 숫자로 줄인 점수: 클수록 중요.",
                            "W_c turns u_t into one score per token: higher = more important."),
    "inside.about.weights": ("점수의 softmax. 합이 1이며, 진한 조각일수록 문장 벡터에 많이 들어갑니다.",
                             "The softmax of the scores: they sum to 1; darker pieces weigh more in the sentence vector."),
    "inside.about.context": ("c = Σ a_t h_t: 문장 전체를 2H차원 하나로 요약한 벡터.",
                             "c = Σ a_t h_t: the whole sentence as one 2H-dimensional vector."),
    "inside.about.hidden": ("정규화한 c를 fc1과 ReLU에 통과시킨 F차원 벡터.",
                            "The normalised c through fc1 and ReLU (F dimensions)."),
    "inside.about.logits": ("클래스마다 하나의 점수.", "One score per class."),
    "inside.about.probabilities": ("로짓의 softmax: 가장 큰 클래스가 예측입니다.",
                                   "The softmax of the logits: the largest is the prediction."),
    # Model
    "model.title": ("모델 저장·불러오기", "Model: save and load"),
    "model.refresh": ("모델과 기록은 이 작업 공간(주소의 ?w=…)에 저장됩니다. 다른 곳에서 쓰려면 모델을 내려받으세요.",
                      "Models and runs are kept in this workspace (the address's ?w=…). Download a model to use it elsewhere."),
    "model.load": ("저장한 모델 불러오기", "Load a saved model"),
    "model.upload": ("저장한 모델 번들 올리기 (.zip)", "Upload a saved model bundle (.zip)"),
    "model.upload_help": ("이 앱이나 `python -m core train`이 만든 .zip", "A .zip written by this app or `python -m core train`"),
    "model.loading": ("{name} 불러오는 중…", "Loading {name}…"),
    "model.none": ("아직 모델이 없습니다. 학습하거나 번들을 올리세요.", "No model yet: train one or upload a bundle."),
    "model.active": ("사용 중인 모델: {name}", "Active model: {name}"),
    "model.parameters": ("파라미터 수", "Parameters"),
    "model.labels": ("클래스: {labels}", "Classes: {labels}"),
    "model.download": ("모델 번들 내려받기 (.zip)", "Download the model bundle (.zip)"),
    "model.download_note": ("가중치(safetensors), 토크나이저, 설정과 학습 곡선(JSON)이 들어 있습니다. pickle은 쓰지 않습니다.",
                            "Holds the weights (safetensors), the tokenizer, the settings and the curves (JSON); no pickle."),
    "model.settings": ("설정 전체 (JSON)", "All settings (JSON)"),
    # Reply generation (seq2seq)
    "reply.title": ("답장 생성 (seq2seq + 바다나우 어텐션)", "Reply generation (seq2seq + Bahdanau attention)"),
    "reply.intro": ("사람문장 → 시스템응답 쌍으로 인코더-디코더를 학습합니다. 디코더는 한 조각을 만들 때마다 "
                    "e_tj = vᵀ tanh(W_s s_(t-1) + W_y y_(t-1) + W_h h_j)로 원문 조각에 가중치를 매깁니다 "
                    "(y_(t-1): 방금 쓴 조각이라, 베낀 조각을 또 베끼지 않습니다).",
                    "Trains an encoder-decoder on 사람문장 → 시스템응답 pairs. For every piece it writes, the decoder "
                    "weighs the source pieces with e_tj = vᵀ tanh(W_s s_(t-1) + W_y y_(t-1) + W_h h_j) (y_(t-1): the "
                    "piece just written, so a copied piece is not copied again)."),
    "reply.settings": ("학습 설정", "Training settings"),
    "reply.data": ("학습 데이터", "Training data"),
    "reply.data.corpus": ("올린 말뭉치: {name}", "your corpus: {name}"),
    "reply.data.sample": ("내장 샘플 말뭉치", "the bundled sample"),
    "reply.max_pairs": ("쓸 대화 쌍 수 (0 = 전부 {n}개)", "Pairs to use (0 = all {n})"),
    "reply.max_pairs_help": ("수업 시간에 맞게 줄이세요. 대화를 통째로 무작위로 골라, 이 수를 넘지 않게 씁니다.",
                             "Lower it to fit a lesson: whole dialogues are drawn at random up to this many pairs."),
    "reply.estimate": ("예상 시간: 약 {time} (쌍 {pairs}개 × {epochs} 에포크, 작업자 하나 기준; 다른 작업이 많으면 더 걸립니다)",
                       "Estimated time: about {time} ({pairs} pairs × {epochs} epochs on one worker; longer on a "
                       "busy server)"),
    "reply.curves": ("학습 곡선", "Training curves"),
    "reply.stutter": ("말더듬 비율", "Stutter rate"),
    "reply.stutter_help": ("검증 답장 중 같은 글자가 세 번 이어지거나 두 글자 이상 덩어리가 바로 반복되는 답장의 비율 "
                           "(상담사의 실제 답장: 0.14%). chrF는 입력을 베낀 조각에도 점수를 주므로 함께 보세요.",
                           "Share of validation replies with a character three times in a row or a chunk of 2+ "
                           "characters repeated back to back (real counsellor replies: 0.14%). chrF rewards copied "
                           "pieces, so read the two together."),
    "reply.stutter_warn": ("답장의 {share}가 말을 더듬습니다 (같은 조각 반복): chrF가 높아도 한국어로 읽히지 않는 답장이 "
                           "많습니다.", "{share} of the replies stutter (a piece repeated): however high chrF is, many "
                           "replies do not read as Korean."),
    "reply.turns": ("대화 쌍", "Pairs"),
    "reply.turns.first": ("첫 턴만 (사람문장1 → 시스템응답1)", "turn 1 only (사람문장1 → 시스템응답1)"),
    "reply.turns.all": ("모든 턴 (사람문장k → 시스템응답k)", "every turn (사람문장k → 시스템응답k)"),
    "reply.rnn": ("순환층", "Recurrent layer"),
    "reply.teacher_forcing": ("교사 강요 비율", "Teacher forcing"),
    "reply.tf_help": ("디코더에 정답 이전 토큰을 넣는 비율. 1보다 작으면 나머지는 모델 자신의 예측을 넣습니다(느려짐).",
                      "Share of steps fed the gold previous token; the rest get the model's own guess (slower)."),
    "reply.val_loss": ("검증 손실", "Val loss"),
    "reply.perplexity": ("퍼플렉서티", "Perplexity"),
    "reply.speed": ("문장/초", "Sentences/s"),
    "reply.pairs": ("학습 / 검증 쌍", "Train / val pairs"),
    "reply.download": ("답장 모델 내려받기 (.zip)", "Download the reply model (.zip)"),
    "reply.try": ("문장을 넣어 답장 만들기", "Type a sentence, get a reply"),
    "reply.input": ("문장", "Sentence"),
    "reply.beam": ("빔 크기", "Beam size"),
    "reply.generate": ("답장 생성", "Generate"),
    "reply.title.greedy": ("탐욕 디코딩", "Greedy"),
    "reply.title.beam": ("빔 탐색 (k = {k})", "Beam search (k = {k})"),
    "reply.title.mbr": ("합의 선택 (MBR, 후보 {n}+1개)", "Consensus choice (MBR, {n}+1 candidates)"),
    "reply.second": ("두 번째 답장", "Second reply"),
    "reply.second.beam": ("빔 탐색", "beam search"),
    "reply.second.mbr": ("합의 선택 (MBR)", "consensus (MBR)"),
    "reply.mbr_help": ("탐욕 답장과 무작위로 뽑은 답장 {n}개 중에서, 나머지 후보들과 chrF가 평균적으로 가장 높은 답장을 고릅니다"
                       "(최소 베이즈 위험). 실제 말뭉치에서 탐욕 디코딩보다 chrF가 약 1점 높았지만 더 느립니다.",
                       "Among the greedy reply and {n} sampled ones, picks the reply with the highest mean chrF against "
                       "the other candidates (minimum Bayes risk). On the real corpus it scored about 1 chrF above "
                       "greedy, and it is slower."),
    "reply.source": ("입력 조각", "source pieces"),
    "reply.generated": ("생성 조각", "generated pieces"),
    "reply.reference": ("정답 응답", "reference reply"),
    "reply.hover": ("행은 생성된 조각, 열은 입력 조각입니다. 칸에 마우스를 올리면 정확한 가중치 α가 보입니다. "
                    "각 행의 합은 1입니다.",
                    "Rows are generated pieces, columns are source pieces; hover a cell for the exact weight α. "
                    "Each row sums to 1."),
    "reply.examples": ("검증 예시", "Validation examples"),
    # Reply page: retrieval reference and attention sink (issue 12)
    "reply.retrieval": ("검색 답장", "Retrieved reply"),
    "reply.retrieval_chrf": ("검색 chrF", "Retrieval chrF"),
    "reply.retrieval_help": ("같은 검증 쌍에서, 학습 문장 중 글자 n-gram TF-IDF로 가장 가까운 문장의 상담사 답장을 그대로 "
                             "내놓았을 때의 chrF. 모델의 chrF가 이보다 낮으면 모델은 아직 외운 답장 찾기보다 못합니다.",
                             "chrF on the same validation pairs when answering with the counsellor reply of the nearest "
                             "training sentence (char n-gram TF-IDF). A model below it does worse than looking a reply up."),
    "reply.distinct": ("서로 다른 답장", "Distinct replies"),
    "reply.retrieval_note": ("가장 가까운 학습 문장의 답장 (비교 기준)", "The nearest training sentence's reply (the reference)"),
    "reply.sink": ("어텐션 싱크: 생성 조각들이 평균 {share}의 가중치를 마지막 조각 '{pieces}'에 두고, {rows}행 중 {peaks}행이 "
                   "거기서 가장 큽니다. 디코더가 입력 단어 대신 문장 끝을 '쉼터'로 쓰는 것이라, 이 답장은 입력의 내용에 "
                   "거의 기대지 않습니다.",
                   "Attention sink: the generated pieces put {share} of their weight on the final piece '{pieces}' on "
                   "average, and {peaks} of {rows} rows peak there. The decoder rests on the sentence's end instead of "
                   "its words, so this reply leans little on what was said."),
    "reply.no_sink": ("어텐션이 문장 끝에 몰려 있지 않습니다: 진하게 칠해진 칸이 각 생성 조각이 참고한 입력 조각입니다.",
                      "The attention is not parked on the sentence's end: the dark cells are the source pieces each "
                      "generated piece drew on."),
    # Does attention explain? (pages/explain.py)
    "page.explain": ("설명 검증", "Does attention explain?"),
    "explain.title": ("설명 검증: 어텐션이 이 예측을 설명할까?", "Does attention explain this prediction?"),
    "explain.intro": ("어텐션 히트맵을 그냥 믿지 않고, 같은 BPE 조각 위에서 다른 중요도 방법 세 가지와 비교하고 "
                      "조각을 지우거나 어텐션을 바꿔 보며 시험합니다 (Jain & Wallace 2019; Wiegreffe & Pinter 2019).",
                      "Instead of trusting the attention heatmap, compare it with three other importance methods over the "
                      "same BPE pieces, and test it by deleting pieces and changing the attention "
                      "(Jain & Wallace 2019; Wiegreffe & Pinter 2019)."),
    "explain.input": ("검증할 문장", "Sentence to check"),
    "explain.run": ("검증", "Check"),
    "explain.label": ("예측: **{label}** ({p}) · 조각 {n}개", "Prediction: **{label}** ({p}) · {n} pieces"),
    "explain.words": ("조각을 어절 단위로 합치기", "Sum pieces into words (어절)"),
    "explain.rows": ("네 가지 중요도", "Four importance scores"),
    "explain.rows_note": ("빨강은 예측 클래스를 지지, 파랑은 반대. 색은 행마다 최댓값으로 맞춘 것이고 칸의 숫자가 실제 값입니다. "
                          "기울기×입력과 통합 기울기(Captum, 임베딩층)는 p(예측)의 변화를 조각별로 나누고, "
                          "하나 빼기는 그 조각을 지운 문장의 p 감소입니다.",
                          "Red supports the predicted class, blue works against it. Colours are scaled per row; the "
                          "numbers are the real values. Gradient × input and integrated gradients (Captum, on the "
                          "embedding layer) split p(predicted) over the pieces; leave-one-out is the drop in p when "
                          "the piece is deleted from the sentence."),
    "explain.m.attention": ("어텐션 α", "attention α"),
    "explain.m.grad_x_input": ("기울기×입력", "gradient × input"),
    "explain.m.integrated_gradients": ("통합 기울기", "integrated gradients"),
    "explain.m.leave_one_out": ("하나 빼기", "leave-one-out"),
    "explain.m.random": ("무작위 순서", "random order"),
    "explain.agreement": ("방법끼리 얼마나 일치하나", "How far the methods agree"),
    "explain.agreement_note": ("|중요도| 순위의 Kendall τ(1 = 같은 순위, 0 = 무관)와 상위 {k}개 조각의 겹침. 회색 띠는 "
                               "BiLSTM+어텐션에서 발표된 범위(Jain & Wallace 2019): 어텐션과 기울기·하나 빼기는 약 0.1–0.45, "
                               "기울기와 하나 빼기끼리는 약 0.5–0.66.",
                               "Kendall τ between |importance| rankings (1 = same order, 0 = unrelated) and the overlap "
                               "of the top {k} pieces. The grey band is the published BiLSTM + attention range (Jain & "
                               "Wallace 2019): attention vs gradient or leave-one-out about 0.1–0.45, gradient vs "
                               "leave-one-out about 0.5–0.66."),
    "explain.pair": ("비교", "pair"),
    "explain.overlap": ("상위 {k}개 겹침", "top-{k} overlap"),
    "explain.published": ("발표된 범위", "published range"),
    "explain.deletion": ("지우기 곡선", "Deletion curves"),
    "explain.deletion_note": ("각 방법이 중요하다고 한 조각부터 지우며 p(예측 클래스)를 봅니다. 빨리 떨어질수록 그 순위가 "
                              "모델에 충실합니다. 포괄성(높을수록 좋음)은 상위 k개를 지웠을 때, 충분성(낮을수록 좋음)은 "
                              "상위 k개만 남겼을 때의 평균 p 감소입니다 (조각 단위).",
                              "Delete pieces in the order each method ranks them and watch p(predicted class): the "
                              "faster it falls, the more faithful the ranking. Comprehensiveness (higher is better) is "
                              "the mean drop in p with the top k removed; sufficiency (lower is better) with only the "
                              "top k kept (always over pieces)."),
    "explain.removed": ("지운 조각 수", "pieces removed"),
    "explain.p": ("p(예측 클래스)", "p(predicted class)"),
    "explain.method": ("방법", "method"),
    "explain.comp": ("포괄성 AOPC ↑", "comprehensiveness AOPC ↑"),
    "explain.suff": ("충분성 AOPC ↓", "sufficiency AOPC ↓"),
    "explain.counterfactual": ("어텐션을 바꿔 보기", "Counterfactual attention"),
    "explain.cf_note": ("BiLSTM 상태는 그대로 두고 풀링 가중치만 바꿉니다. "
                        "어텐션이 예측의 이유라면 바꿨을 때 p가 움직여야 합니다.",
                        "The BiLSTM states stay as they are; only the pooling weights change. If attention is why "
                        "the model predicts this, changing it should move p."),
    "explain.permute": ("α 100번 섞기: 중앙값 |Δp|", "α shuffled ×100: median |Δp|"),
    "explain.uniform": ("균등 α: Δp", "uniform α: Δp"),
    "explain.top_zeroed": ("최대 가중치를 0으로: Δp", "top weight zeroed: Δp"),
    "explain.flips": ("라벨이 바뀜", "label flips"),
    "explain.stays": ("라벨 그대로", "label stays"),
    "explain.verdict": ("어텐션은 하나 빼기 중요도와 {agreement} 일치하고(τ = {tau}), 가중치를 섞으면 출력이 {moves} "
                        "(중앙값 |Δp| = {delta}). {advice}.",
                        "Attention agrees {agreement} with leave-one-out (τ = {tau}) and permuting it {moves} "
                        "(median |Δp| = {delta}): {advice}."),
    "explain.agree.weak": ("약하게", "weakly"),
    "explain.agree.moderate": ("어느 정도", "moderately"),
    "explain.agree.strong": ("강하게", "strongly"),
    "explain.agree.undefined": ("잴 수 없을 만큼만", "in no measurable way"),
    "explain.moves.True": ("눈에 띄게 바뀝니다", "changes the output"),
    "explain.moves.False": ("거의 바뀌지 않습니다", "barely changes the output"),
    "explain.advice.hint": ("히트맵은 힌트 정도로만 읽으세요", "read the heatmap as a hint"),
    "explain.advice.care": ("히트맵은 조심해서 읽으세요", "read the heatmap with care"),
    "explain.advice.guide": ("이 문장에서는 히트맵을 믿을 만한 안내로 읽어도 됩니다", "the heatmap is a fair guide here"),
    "explain.model": ("모델 전체", "The whole model"),
    "explain.model_note": ("같은 검증을 여러 문장에 돌려 평균을 냅니다. 균등 어텐션 정확도는 모든 문장에 균등 가중치를 "
                           "넣었을 때의 정확도입니다: 원래 정확도와 비슷하면 이 모델에 어텐션은 꼭 필요하지 않습니다.",
                           "The same tests over many sentences, averaged. Accuracy with uniform attention injects "
                           "equal weights into every sentence: if it is close to the real accuracy, this model does "
                           "not need its attention."),
    "explain.source": ("문장", "Sentences"),
    "explain.source.validation": ("검증 분할", "Validation split"),
    "explain.source.file": ("파일 올리기", "An uploaded file"),
    "explain.upload": ("라벨이 있는 AIHUB 파일", "A labelled AIHUB file"),
    "explain.limit": ("최대 문장 수", "At most this many sentences"),
    "explain.with_mean": ("평균 풀링 실행({name})도 함께", "Also the mean-pooling run ({name})"),
    "explain.summarize": ("모델 전체 검증", "Check the whole model"),
    "explain.running": ("설명 계산 중… {pct}", "Explaining… {pct}"),
    "explain.model_col": ("모델", "model"),
    "explain.measure": ("지표", "measure"),
    "explain.n": ("문장", "sentences"),
    "explain.accuracy": ("정확도", "accuracy"),
    "explain.uniform_accuracy": ("균등 어텐션 정확도", "accuracy, uniform attention"),
    "explain.tau_with": ("τ(어텐션, {method})", "τ(attention, {method})"),
    "explain.perm_delta": ("섞기 중앙값 |Δp|", "shuffle median |Δp|"),
    "explain.flip_rate": ("최대 가중치 0 → 라벨 바뀜", "top weight zeroed → label flips"),
    "explain.aopc_chart": ("방법별 평균 포괄성 ({name})", "Mean comprehensiveness per method ({name})"),
    "explain.took": ("{n}문장, {s}초", "{n} sentences, {s} s"),
    "predict.explain": ("설명 검증", "Does attention explain?"),
    # Streamlit's own widget texts, replaced (ui/widgets.py file_uploader)
    "upload.button": ("파일 선택", "Browse files"),
    "upload.limit": ("파일당 최대 {mb}MB · {types}", "Limit {mb} MB per file · {types}"),
    "upload.drop": ("여기에 파일을 놓으세요", "Drop the file here"),
    # Run status (Train page)
    "train.status": ("상태", "Status"),
    "status.done": ("끝남", "finished"),
    "status.stopped": ("중지됨", "stopped"),
    # Workspaces, share links and the class board (ui/workspace.py, pages/board.py)
    "page.board": ("학급 게시판", "Class board"),
    "ws.link": ("이 학습 설정의 링크", "Link to these training settings"),
    "ws.link_help": ("데이터와 작업 공간 없이 학습 설정만 담긴 링크입니다. 여는 사람의 학습 페이지가 이 값으로 채워집니다.",
                     "Only the training settings, no data and no workspace: opening it fills the Train page."),
    "ws.share_applied": ("링크의 학습 설정을 적용했습니다.", "Applied the training settings from the link."),
    "ws.new": ("새 작업 공간", "New workspace"),
    "ws.missing": ("이 주소의 작업 공간(?w=…)이 없습니다: 주소가 틀렸거나, 지웠거나, 오래 쓰지 않아 정리되었습니다. "
                   "주소를 확인하거나 새 작업 공간을 만드세요.",
                   "No workspace has this address's key (?w=…): it is mistyped, was deleted, or was cleaned up after "
                   "long disuse. Check the address, or start a new workspace."),
    "ws.disk_error": ("작업을 서버에 저장하지 못했습니다 (서버의 디스크 오류). 계속되면 선생님께 알려 주세요.",
                      "Your work could not be saved on the server (a disk error). If it keeps happening, tell the "
                      "teacher."),
    "ws.delete": ("이 작업 공간 삭제", "Delete this workspace"),
    "ws.confirm": ("이 작업 공간의 말뭉치·토크나이저·기록·모델 파일을 모두 지웁니다. 되돌릴 수 없습니다.",
                   "This removes the workspace's corpus, tokenizer, runs and model files. It cannot be undone."),
    "ws.yes_delete": ("네, 삭제", "Yes, delete"),
    "ws.cancel": ("취소", "Cancel"),
    "ws.busy": ("학습이 끝난 뒤에 할 수 있습니다.", "Possible once the training ends."),
    "ws.broken": ("이 작업 공간에 저장된 {item}을(를) 불러오지 못했습니다 (오류 번호 {id}).",
                  "The {item} saved in this workspace could not be loaded (error {id})."),
    "ws.delete_broken": ("저장된 {item} 지우기", "Delete the saved {item}"),
    "ws.item.corpus": ("말뭉치", "corpus"),
    "ws.item.tokenizer": ("토크나이저", "tokenizer"),
    "ws.item.model": ("모델", "model"),
    "ws.item.runs": ("실행 기록", "run history"),
    "ws.item.reply": ("답장 모델", "reply model"),
    "ws.item.summary": ("모델 전체 설명", "model-level explanation"),
    "board.title": ("학급 게시판", "Class board"),
    "board.intro": ("끝난 학습을 별명으로 올려 서로의 설정과 점수를 비교합니다 (선택 사항). "
                    "데이터와 작업 공간은 올라가지 않습니다.",
                    "Publish a finished run under a nickname to compare settings and scores (optional). "
                    "No data and no workspace goes on the board."),
    "board.publish": ("내 학습 올리기", "Publish one of my runs"),
    "board.run": ("학습", "Run"),
    "board.nickname": ("별명", "Nickname"),
    "board.nickname_help": ("{limit}자까지", "Up to {limit} characters"),
    "board.updated": ("같은 학습의 이전 게시물을 새로 고쳤습니다.", "Your earlier entry of this run was updated."),
    "board.post": ("게시", "Publish"),
    "board.posted": ("게시했습니다.", "Published."),
    "board.no_runs": ("올릴 수 있는 끝난 학습이 아직 없습니다.", "No finished run to publish yet."),
    "board.empty": ("게시판이 비어 있습니다.", "The board is empty."),
    "board.sort": ("정렬", "Sort by"),
    "board.col.nickname": ("별명", "Nickname"),
    "board.col.task": ("과제", "Task"),
    "board.col.corpus": ("말뭉치", "Corpus"),
    "board.col.rows": ("문장 수", "Sentences"),
    "board.col.settings": ("설정", "Settings"),
    "board.col.accuracy": ("검증 정확도", "Val accuracy"),
    "board.col.macro_f1": ("매크로 F1", "Macro-F1"),
    "board.col.baseline": ("기준선 정확도", "Baseline accuracy"),
    "board.col.time": ("학습 시간(초)", "Training (s)"),
    "board.col.run": ("데이터 · 학습 시간", "Data · training time"),
    "board.run_cell": ("{task} · {corpus} · {rows}문장 · {time}초", "{task} · {corpus} · {rows} sentences · {time} s"),
    "board.try": ("이 설정으로 해 보기", "Try these settings"),
    "board.pick": ("게시물", "Entry"),
    "board.admin": ("교사용: 게시판 비우기", "Teacher: clear the board"),
    "board.password": ("관리자 비밀번호", "Admin password"),
    "board.clear": ("게시판 비우기", "Clear the board"),
    "board.cleared": ("게시판을 비웠습니다.", "The board was cleared."),
    "board.wrong_password": ("비밀번호가 맞지 않습니다.", "Wrong password."),
    "board.no_password": ("서버에 ATTENTION_LAB_ADMIN_PASSWORD가 설정되지 않아 여기서는 비울 수 없습니다.",
                          "ATTENTION_LAB_ADMIN_PASSWORD is not set on the server, so the board cannot be cleared here."),
    # Teacher's view (pages/teacher.py) and the session's nickname (sidebar)
    "page.teacher": ("교사용 보기", "Teacher's view"),
    "teacher.title": ("교사용 보기", "Teacher's view"),
    "teacher.intro": ("누가 무엇을 돌리는지, 얼마나 왔는지, 지금까지 가장 좋은 검증 정확도를 몇 초마다 새로 보여 줍니다. "
                      "게시판의 글은 하나씩 지울 수 있습니다.",
                      "Who runs what, how far it has got and its best validation accuracy so far, refreshed every few "
                      "seconds. Board entries can be deleted one by one."),
    "teacher.off": ("서버에 ATTENTION_LAB_ADMIN_PASSWORD가 설정되지 않아 교사용 보기가 꺼져 있습니다.",
                    "The teacher's view is off: ATTENTION_LAB_ADMIN_PASSWORD is not set on the server."),
    "teacher.unlock": ("열기", "Unlock"),
    "teacher.lock": ("잠그기", "Lock"),
    "teacher.running": ("실행 중", "Running"),
    "teacher.queued": ("대기 중", "Queued"),
    "teacher.entries": ("게시물", "Board entries"),
    "teacher.sessions": ("세션", "Sessions"),
    "teacher.no_jobs": ("대기 중이거나 실행 중인 작업이 없습니다.", "No job is queued or running."),
    "teacher.col.who": ("누구", "Who"),
    "teacher.col.job": ("작업", "Job"),
    "teacher.col.progress": ("진행", "Progress"),
    "teacher.col.best": ("최고 검증 정확도", "Best val accuracy"),
    "teacher.col.time": ("경과", "Elapsed"),
    "teacher.anonymous": ("익명 {label}", "Anonymous {label}"),
    "teacher.no_owner": ("(알 수 없음)", "(unknown)"),
    "teacher.job.classifier": ("분류기 학습", "Classifier training"),
    "teacher.job.tokenizer": ("토크나이저 학습", "Tokenizer"),
    "teacher.job.evaluate": ("평가", "Evaluation"),
    "teacher.job.explain": ("설명 검증", "Explanation check"),
    "teacher.job.seq2seq": ("답장 생성 학습", "Reply generator training"),
    "teacher.job.curve": ("학습 곡선", "Learning curve"),
    "teacher.job.predict_file": ("파일 예측", "Predicting a file"),
    "teacher.waiting": ("대기 중 · 앞에 {ahead}개", "Queued · {ahead} ahead"),
    "teacher.epoch": ("에폭 {epoch}/{epochs} · {percent}", "Epoch {epoch} of {epochs} · {percent}"),
    "teacher.starting": ("시작하는 중", "Starting"),
    "teacher.board": ("게시판", "Board"),
    "teacher.delete": ("삭제", "Delete"),
    "teacher.deleted": ("게시물을 지웠습니다.", "The entry was deleted."),
    "side.nickname": ("내 별명", "My nickname"),
    "side.nickname_help": ("선생님 화면과 게시판에 보입니다 ({limit}자까지). 비우면 익명입니다.",
                           "Shown on the teacher's view and the board (up to {limit} characters); empty: anonymous."),
    "side.nickname_save": ("저장", "Save"),
    # Predict: pieces the tokenizer never saw
    "predict.unknown": ("토크나이저가 학습 때 본 적 없는 글자라 <unk>로 바뀌었습니다",
                        "The tokenizer never saw these characters: they became <unk>"),
    # Several corpus files joined (Data), and the learning curve (Train): core/corpus/data.py, core/classifier/curve.py
    "release.json": ("JSON 배포판", "JSON release"),
    "release.mixed": ("여러 배포판", "several releases"),
    "data.part": ("{name} ({release}): {read}행 읽음, {kept}행 사용, 앞 파일과 겹친 대화 {dropped}개 제외",
                  "{name} ({release}): {read} rows read, {kept} kept, {dropped} dialogues already in an earlier file"),
    "curve.title": ("데이터가 얼마나 필요할까?", "How much data does it need?"),
    "curve.intro": ("학습 대화의 10%, 25%, 50%, 100%로 모델과 n-gram 기준 모델을 각각 학습해 같은 검증 문장으로 "
                    "정확도를 잽니다. 위의 설정으로 모델을 네 번 학습하므로 한 번 학습보다 오래 걸립니다.",
                    "The model and the n-gram baseline trained on 10, 25, 50 and 100% of the training dialogues, "
                    "scored on the same validation rows. The settings above train the model four times, so this "
                    "takes longer than one training."),
    "curve.start": ("학습 곡선 그리기", "Draw the learning curve"),
    "curve.progress": ("{index}/{count}: 학습 대화의 {percent} ({rows}문장)",
                       "{index}/{count}: {percent} of the training dialogues ({rows} sentences)"),
    "curve.model": ("모델", "model"),
    "curve.baseline": ("n-gram 기준 모델", "n-gram baseline"),
    "curve.x": ("학습 문장 수", "training sentences"),
    "curve.y": ("검증 정확도", "validation accuracy"),
    "curve.val_rows": ("모든 점은 같은 검증 문장 {rows}개로 채점했습니다.",
                       "Every point is scored on the same {rows} validation rows."),
    "curve.stopped": ("중지되어 끝난 점만 그렸습니다.", "Stopped: only the finished points are drawn."),
    "curve.ahead": ("모델이 모든 크기에서 n-gram 기준 모델을 앞섭니다 (학습 대화의 {percent}, {dialogues}개부터).",
                    "The model beats the n-gram baseline at every size, from {percent} of the training dialogues "
                    "({dialogues} dialogues) on."),
    "curve.overtakes": ("모델은 학습 대화의 {percent}({dialogues}개)부터 n-gram 기준 모델을 앞섭니다.",
                        "The model overtakes the n-gram baseline from {percent} of the training dialogues "
                        "({dialogues} dialogues) on."),
    "curve.narrows": ("모든 크기에서 기준 모델이 앞서지만, 차이는 {first}%p에서 {last}%p로 줄어듭니다.",
                      "The baseline stays ahead at every size; the gap narrows from {first} to {last} points."),
    "curve.widens": ("모든 크기에서 기준 모델이 앞서고, 차이는 {first}%p에서 {last}%p로 벌어집니다.",
                     "The baseline stays ahead at every size; the gap widens from {first} to {last} points."),
    "curve.behind": ("모델이 {percent}에서는 앞섰지만, 학습 대화 전체로는 기준 모델이 {last}%p 앞섭니다.",
                     "The baseline is ahead with all the training dialogues, by {last} points, though the model led "
                     "at {percent}."),
    "curve.no_baseline": ("일부 크기에서 클래스가 둘 미만이라 기준 모델을 학습할 수 없어 비교하지 못했습니다.",
                          "The baseline could not be fitted (fewer than two classes in a subset), so nothing to compare."),
    # Predict from a file, and CSV downloads (ui/batch.py, ui/tables.py, pages/board.py)
    "predict.source": ("입력", "Input"),
    "predict.source.typed": ("문장 입력", "Type sentences"),
    "predict.source.file": ("파일로 한꺼번에", "A file of sentences"),
    "batch.upload": ("문장 파일 올리기 (.xlsx, .csv, .tsv, .txt)", "Upload a file of sentences (.xlsx, .csv, .tsv, .txt)"),
    "batch.note": ("표는 '문장', 'text', '사람문장1' 열을 (없으면 글이 든 첫 열을) 읽고, 첫 행은 열 이름입니다. "
                   ".txt는 한 줄에 한 문장입니다. 최대 {rows}문장.",
                   "A table is read from its column named 문장, text or 사람문장1 (else its first column of text), "
                   "whose first row is the header; a .txt file holds one sentence a line. At most {rows} sentences."),
    "batch.run": ("파일 예측", "Predict the file"),
    "batch.running": ("예측 중… {pct}", "Predicting… {pct}"),
    "batch.results": ("예측 결과: {name}", "Predictions: {name}"),
    "batch.capped": ("처음 {n}문장만 예측했습니다. 나머지 {rest}문장은 건너뛰었습니다.",
                     "Only the first {n} sentences were predicted; {rest} more were skipped."),
    "batch.column": ("{n}문장 · 읽은 열: {column}", "{n} sentences · column read: {column}"),
    "batch.lines": ("{n}문장 (한 줄에 한 문장)", "{n} sentences (one a line)"),
    "batch.col.text": ("문장", "Sentence"),
    "batch.col.label": ("예측 감정", "Predicted"),
    "batch.col.probability": ("확률", "Probability"),
    "batch.col.top_pieces": ("어텐션 상위 조각 3개", "Top 3 attention pieces"),
    "batch.download": ("예측 CSV 내려받기", "Download the predictions (CSV)"),
    "eval.download_all": ("전체 예측 CSV 내려받기", "Download every prediction (CSV)"),
    "eval.download_wrong": ("틀린 문장 CSV 내려받기", "Download the mistakes (CSV)"),
    "eval.col.text": ("문장", "Sentence"),
    "eval.col.true": ("정답", "True"),
    "eval.col.predicted": ("예측", "Predicted"),
    "eval.col.confidence": ("확률", "Probability"),
    "eval.col.top_pieces": ("어텐션 상위 조각 3개", "Top 3 attention pieces"),
    "board.download": ("게시판 CSV 내려받기", "Download the board (CSV)"),
}

# English names of the classes (the data's labels stay Korean); emotion58's minor labels have none.
# Core's errors (error.<code>): the Korean from ui/error_strings.py, the English the command line prints.
STRINGS.update({f"error.{code}": (korean, MESSAGES[code]) for code, korean in ERRORS_KO.items()})
# A bundle's kind, as a refusal names the kind a page needs.
STRINGS.update({"kind.classifier": ("감정 분류 모델", "classifier"), "kind.seq2seq": ("답장 생성 모델", "seq2seq")})

CLASS_NAMES_EN = {"기쁨": "joy", "당황": "embarrassment", "분노": "anger", "불안": "anxiety", "상처": "hurt",
                  "슬픔": "sadness", "긍정": "positive", "부정": "negative"}


def labels_for(prefix: str, options: Sequence[str]) -> Callable[[str], str]:
    """A widget's format_func: each option's label in the current language, fixed when the page renders."""
    return {option: t(f"{prefix}.{option}") for option in options}.__getitem__


# Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and together they are all the
# Markdown, HTML, LaTeX ($) and Streamlit directive (:red[…]) syntax there is.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where GFM turns bare text into a link (http://, https://, www., an e-mail's @): it does so after escapes are read,
# so an invisible word joiner goes there instead.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """A user's text (file, label, sheet or nickname) made safe to put inside Markdown: shown as typed, never as
    an image, link, HTML or formatting. Streamlit renders Markdown in titles, captions, notices and labels, so a
    file named `![x](http://…)` would make every viewer's browser fetch that address. Line breaks become spaces;
    an address or e-mail gets an invisible word joiner, so it shows as typed but is not made a link."""
    text = _AUTOLINK.sub(WORD_JOINER, " ".join(str(text).split()))
    return _PUNCTUATION.sub(r"\\\1", text)


def class_name(label: str) -> str:
    """A class as shown: '기쁨' in Korean, '기쁨 (joy)' in English. Every page shows classes through this."""
    english = CLASS_NAMES_EN.get(label)
    return f"{label} ({english})" if english and language() == "en" else label


def class_names(labels: Sequence[str]) -> list[str]:
    return [class_name(label) for label in labels]


def model_name(source: str) -> str:
    """A model's name as shown: a run's '#2 attention' becomes '#2 어텐션' in Korean; file names stay as they are."""
    number, _, pooling = source.partition(" ")
    if number.startswith("#") and number[1:].isdigit() and f"pooling.{pooling}" in STRINGS:
        return f"{number} {t(f'pooling.{pooling}')}"
    return source


def settings_line(settings: Mapping[str, object]) -> str:
    """Share-link settings (core.storage.share) as one line: 'Pooling attention · Embedding E 128 · …', each name
    as the Train page labels it and a pooling or schedule by its name; a name without a label shows as it is."""
    parts = []
    for name, value in settings.items():
        label = t(f"train.{name}") if f"train.{name}" in STRINGS else name
        shown = t(f"{name}.{value}") if name in ("pooling", "schedule") and f"{name}.{value}" in STRINGS else value
        parts.append(f"{label} {shown}")
    return " · ".join(parts)


def language() -> str:
    return "en" if st.session_state.get("w_english") else "ko"


def t(key: str, /, **values: object) -> str:
    """The string for `key` in the session's language, formatted with `values`.

    An unknown key never breaks a page: it shows as is, is logged, and is kept in MISSING (tests fail on it)."""
    pair = STRINGS.get(key)
    if pair is None:
        MISSING.add(key)
        _log.warning("ui.i18n: no string for key %r", key)
        return key
    text = pair[1] if language() == "en" else pair[0]
    return text.format(**values) if values else text


def error_text(error: Exception | str) -> str:
    """A core error's line in the session's language, as plain text (escape it with plain() for Markdown). Anything
    else, such as a job's one-line failure from a bug ("KeyError: 'x'"), shows as it is."""
    if not isinstance(error, AttentionLabError) or error.code not in MESSAGES:
        return str(error)
    return t(f"error.{error.code}", **{name: _error_value(name, value) for name, value in error.values.items()})


def _error_value(name: str, value: object) -> object:
    """A value as the line shows it: a nested error in the same language, a task or bundle kind by its name."""
    if isinstance(value, AttentionLabError):
        return error_text(value)
    if name == "task":
        return t(f"task.{value}")
    if name == "expected_kind":
        return t(f"kind.{value}")
    return value
